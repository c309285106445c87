"""Index runs, publication (draft → 公示 → final) and the public leaderboard (排行榜)."""
