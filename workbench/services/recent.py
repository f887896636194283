"""A bounded LRU shared by a process's request threads, for values whose keys can never go stale
(a content digest, a document's sha256): the suggestion ranker's passage vectors and texts, the word
frequency page's tokenised transcripts."""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence


class Recent:
    def __init__(self, size: int):
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, keys: Sequence) -> dict:
        with self.lock:
            found = {k: self.items[k] for k in keys if k in self.items}
            for k in found:
                self.items.move_to_end(k)
        return found

    def put(self, values: dict) -> None:
        with self.lock:
            for k, v in values.items():
                self.items[k] = v
                self.items.move_to_end(k)
            while len(self.items) > self.size:
                self.items.popitem(last=False)
