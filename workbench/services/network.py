"""The code co-occurrence network: codes as nodes, an edge where two codes' c-coefficient is above a threshold.

The counts and the coefficient are export/cooccurrence.py's (unit: a coded segment, one segment as
coded by one coder; c_ij = n_ij / (n_i + n_j - n_ij)), on the codings the session's scope counts.
A node is a code with at least one coded segment; an edge joins codes i and j when c_ij > the
threshold (strictly: a threshold of 0 shows every pair that co-occurs at all). Every pair is computed
once per codings version and kept in the chart cache (services/chart_cache.py); a threshold only
filters it."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from sqlalchemy.orm import Session

from workbench.export import cooccurrence
from workbench.export.network import Edge, Node, to_svg
from workbench.models import Project
from workbench.services import chart_cache, exports, scope
from workbench.services.errors import Invalid

DEFAULT_THRESHOLD = 0.1
KIND = "code-network"


@dataclass(frozen=True)
class Network:
    nodes: list[Node]
    edges: list[Edge]  # every co-occurring pair, or those above `threshold`
    threshold: float = 0.0

    def above(self, threshold: float) -> "Network":
        return Network(self.nodes, [e for e in self.edges if e.c > threshold], threshold)

    def to_json(self) -> bytes:
        return json.dumps({"nodes": [asdict(n) for n in self.nodes], "edges": [asdict(e) for e in self.edges]}).encode()

    @staticmethod
    def from_json(data: bytes) -> "Network":
        found = json.loads(data)
        return Network([Node(**n) for n in found["nodes"]], [Edge(**e) for e in found["edges"]])


def cooccurring(session: Session, project: Project) -> Network:
    """Every code with coded segments, and every pair of them that shares one (c > 0), in codebook order."""
    paths, documents = exports.coded_documents(session, project.id)
    result = cooccurrence.cooccurrence(paths, documents)
    used = [i for i in range(len(paths)) if result.counts[i][i]]
    edges = [Edge(paths[i], paths[j], result.counts[i][j], result.c(i, j))
             for k, i in enumerate(used) for j in used[k + 1:] if result.counts[i][j]]
    return Network([Node(paths[i], result.counts[i][i]) for i in used], edges)


def code_network(session: Session, project: Project, threshold: float = DEFAULT_THRESHOLD) -> Network:
    if not 0 <= threshold < 1:
        raise Invalid(f"The c-coefficient threshold is between 0 and 1 (edges above it are drawn), not {threshold:g}.")
    every = chart_cache.cached_chart(session, project, KIND, {}, lambda: cooccurring(session, project).to_json())
    return Network.from_json(every).above(threshold)


def network_svg(session: Session, project: Project, network: Network) -> str:
    title = scope.titled(session, project.id, f"Codes co-occurring with c > {network.threshold:g}")
    return to_svg(network.nodes, network.edges, title)
