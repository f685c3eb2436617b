"""baocao: built in a later issue; the app exists so the layout is stable."""
