"""The first published period shows no change column (there is nothing to change from); the rank-trend
axis runs from 1 to n."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_it_shows_no_change_column_on_the_first_period(published: Any) -> None:
    first = Client().get("/rankings/2025Q1/").content.decode()
    assert "较上期" not in first.split('id="leaderboard"')[1].split("</thead>")[0]
    assert 'class="change"' not in first and 'id="first-period"' in first
    second = Client().get("/rankings/2025Q2/").content.decode()
    assert second.count('class="change"') == len(published[1].content["rows"])


def test_it_draws_the_rank_axis_from_1_to_n(published: Any) -> None:
    rows = published[1].content["rows"]
    html = Client().get(f"/rankings/2025Q2/{rows[-1]['unit']}/").content.decode()
    found = re.search(r'<script id="chart-trend-figure" type="application/json">(.*?)</script>', html, re.S)
    assert found
    yaxis = json.loads(found.group(1))["layout"]["yaxis"]
    assert yaxis["range"] == [len(rows) + 0.5, 0.5] and yaxis["tick0"] == 1
