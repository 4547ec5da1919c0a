"""The content: from the authors' files to the checked model.

files (read the disk) → frontmatter, yamlfm (split, strict YAML with lines) → schema,
siteconfig, fields, markdown (one file to model Documents) → parse (that per file, the
pure function a build caches) → validate (rules across files) → load (all of it: Model).

Modules here import only each other, problems, text and settings: never site/ or later.
"""
