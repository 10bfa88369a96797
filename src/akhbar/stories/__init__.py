"""Stories: one event's coverage across outlets and languages.

``cluster.StoryBuilder`` gives each stored article a story (online, in arrival order);
``embed`` holds the pluggable sentence embedders, ``lexical`` the keys (entities, numbers,
names, words) and ``sections`` the section classifier. See docs/architecture.md, "Stories".
"""
