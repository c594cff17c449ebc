"""Tables and letters for people: XLSX/CSV with an injection guard, export profiles, letters."""
