"""From scored pairs to children, without chaining two children through one weak link.

Plain connected components (Splink's own clustering) joins A and C whenever A–B and B–C
score high, even when A and C plainly differ: one record with a common name and no date of
birth can glue two children together. Here clusters grow greedily from the strongest pair
down, and two clusters merge only when no record of one *conflicts* with a record of the
other — a different sex, dates of birth that differ (other than by a day/month swap), birth
years further apart than an estimated age can be off, or B-form numbers more than two
digits apart (each record may have one mistyped). So a weak bridge is refused instead of followed.

Decisions, with the thresholds of the model version (chosen from the model's own match
probabilities, never from the truth):

- a pair at or above ``link`` merges the clusters, unless they conflict (an existing child
  is never merged with another existing child automatically: that is a person's decision;
  a record matching two registry children strongly joins the stronger);
- a group of new records with no link to an existing child but a pair in ``[review, link)``
  to another cluster goes to review, with that cluster as its candidate;
- any other group becomes a new child.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# Two estimated ages, each up to two years off and each a whole number of years.
MAX_BIRTH_YEAR_GAP = 5.0


def conflict(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two records cannot be the same child, whatever their names say."""
    if a["sex"] and b["sex"] and a["sex"] != b["sex"]:
        return True
    forms = a["b_form"], b["b_form"]
    if (
        all(forms)
        and len(forms[0]) == len(forms[1])
        and sum(x != y for x, y in zip(*forms, strict=True)) > 2
    ):
        return True
    born = a["dob"], b["dob"]
    if (
        all(born)
        and born[0] != born[1]
        and born[0] != b["dob_swapped"]
        and abs(a["birth_year"] - b["birth_year"]) > 1.0
    ):
        return True
    ya, yb = a["birth_year"], b["birth_year"]
    return ya is not None and yb is not None and abs(ya - yb) > MAX_BIRTH_YEAR_GAP


@dataclass
class Outcome:
    """Where each new record goes. ``groups`` are lists of new record ids that are one child;
    each maps to an existing child (``existing``), a review candidate (``review``: the
    candidate is an existing child's key or another group's index) or a new child."""

    groups: list[list[Any]] = field(default_factory=list)
    existing: dict[int, Any] = field(default_factory=dict)  # group → child key
    review: dict[int, tuple[str, Any, float]] = field(default_factory=dict)
    new: list[int] = field(default_factory=list)
    waiting: list[int] = field(default_factory=list)  # cannot become a child, no candidate

    def labels(self) -> dict[Hashable, Hashable]:
        """Each new record's cluster, treating review groups as their own (undecided)."""
        out: dict[Hashable, Hashable] = {}
        for index, members in enumerate(self.groups):
            label = ("child", self.existing[index]) if index in self.existing else ("new", index)
            for uid in members:
                out[uid] = label
        return out


def cluster(
    pairs: Iterable[tuple[Any, Any, float]],
    features: Mapping[Any, Mapping[str, Any]],
    new: Iterable[Hashable],
    known: Mapping[Any, Any],
    *,
    link: float,
    review: float,
    forbidden: Collection[tuple[Any, Any]] = (),
    registrable: Callable[[list[Any]], bool] | None = None,
) -> Outcome:
    """``features`` of every record in a pair; ``new`` record ids; ``known`` record id →
    its child's key; ``forbidden`` (record id, child key) pairs a person said are not the
    same child; ``registrable`` says whether a group of new records can become a new child
    (one with no date of birth and no age cannot): such a group waits, and is nobody's
    candidate."""
    forbidden = set(forbidden)
    parent: dict[Hashable, Hashable] = {}
    members: dict[Hashable, list[Hashable]] = {}
    child_of: dict[Hashable, Hashable] = {}  # root → existing child key

    for uid, child in known.items():
        root: Any = ("child", child)
        parent[uid] = root
        if root not in members:
            parent[root] = root
            members[root] = []
            child_of[root] = child
        members[root].append(uid)
    new_ids = list(new)
    for uid in new_ids:
        parent[uid] = uid
        members[uid] = [uid]

    def find(x: Hashable) -> Hashable:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    # Clusters only grow, and a conflict between two records stays one, so a pair of roots
    # once found incompatible stays so: remembered, not checked again.
    refused: set[tuple[Hashable, Hashable]] = set()

    def compatible(ra: Hashable, rb: Hashable) -> bool:
        key = (ra, rb) if str(ra) <= str(rb) else (rb, ra)
        if key in refused:
            return False
        for mine, other in ((ra, rb), (rb, ra)):
            child = child_of.get(other)
            if child is not None and any((x, child) in forbidden for x in members[mine]):
                refused.add(key)
                return False
        if any(conflict(features[x], features[y]) for x in members[ra] for y in members[rb]):
            refused.add(key)
            return False
        return True

    ordered = sorted(
        (p for p in pairs if p[2] >= review), key=lambda p: (-p[2], str(p[0]), str(p[1]))
    )
    weak: list[tuple[Hashable, Hashable, float]] = []
    for a, b, probability in ordered:
        if probability < link:
            weak.append((a, b, probability))
            continue
        ra, rb = find(a), find(b)
        if ra == rb or (ra in child_of and rb in child_of) or not compatible(ra, rb):
            continue  # refused: a conflict, or two registry children (a person merges those)
        if rb in child_of or (ra not in child_of and len(members[ra]) < len(members[rb])):
            ra, rb = rb, ra  # an existing child's cluster stays the root
        parent[rb] = ra
        members[ra] += members.pop(rb)
        if rb in child_of:
            child_of[ra] = child_of.pop(rb)

    outcome = Outcome()
    index_of: dict[Any, int] = {}
    for uid in new_ids:
        root = find(uid)
        if root not in index_of:
            index_of[root] = len(outcome.groups)
            outcome.groups.append([])
            if root in child_of:
                outcome.existing[index_of[root]] = child_of[root]
        outcome.groups[index_of[root]].append(uid)

    # Review candidates of each group that did not join an existing child, best first.
    candidates: dict[int, list[tuple[float, Hashable]]] = defaultdict(list)
    for a, b, probability in weak:
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        for mine, other in ((ra, rb), (rb, ra)):
            group = index_of.get(mine)
            if group is None or group in outcome.existing or not compatible(mine, other):
                continue
            candidates[group].append((probability, other))

    registered: set[Hashable] = set()
    for group, members_ in enumerate(outcome.groups):
        if group in outcome.existing:
            continue
        ranked = sorted(candidates.get(group, []), key=lambda c: -c[0])
        # A registry child first (a duplicate of one is the costlier mistake), else a group
        # already made a new child in this run.
        child = next(((p, o) for p, o in ranked if o in child_of), None)
        if child is not None:
            outcome.review[group] = ("child", child_of[child[1]], child[0])
            continue
        made = next(((p, o) for p, o in ranked if o in registered), None)
        if made is not None:
            outcome.review[group] = ("group", index_of[made[1]], made[0])
            continue
        if registrable is not None and not registrable(members_):
            outcome.waiting.append(group)
            continue
        outcome.new.append(group)
        registered.add(find(members_[0]))
    return outcome
