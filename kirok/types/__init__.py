"""Value types that recur across Kirok: each parses, validates, compares and formats one kind of value.

Models, importers, exports, search and linkage all use the same classes, so a date or a name
means the same thing everywhere (the followthemoney ``types`` idea).
"""
