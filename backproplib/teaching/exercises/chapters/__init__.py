"""One module per chapter, each registering that chapter's exercises when it is imported.

Every module of this folder is imported here, so a new chapter's module needs no other edit.
"""

import importlib
import pkgutil

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_module}")
