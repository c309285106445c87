"""What each role's home page (待办) lists; one module per role, each returning the page's context."""
