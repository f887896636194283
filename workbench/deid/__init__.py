"""De-identification, pure: finding identifiers in text (finders), pseudonyms from type templates
(pseudonyms) and remapping spans when replacements change the text's length (remap)."""
