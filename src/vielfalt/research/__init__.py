"""The pseudonymised multi-edition archive and the comparison of editions."""
