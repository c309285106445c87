"""Excel in and out for every registry table: templates, exports and all-or-nothing imports."""
