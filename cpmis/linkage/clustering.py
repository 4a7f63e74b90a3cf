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
  a record matching two registry children strongly joins the stronger, and the two children,
  if nothing in their records conflicts, are proposed to a person as one: ``Outcome.merges``);
- a new record that matches two children about equally well (``ambiguous``: the chance
  that it is its own cluster's, against every cluster it matches at or above ``link``, is
  below ``link``) joins neither and goes to review: a record is one child's at most;
- a group of new records with no link to an existing child but a pair in ``[review, link)``
  to another cluster goes to review, with that cluster as its candidate;
- any other group becomes a new child.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# Birth years apart, beyond which two records cannot be one child: two estimated ages (each
# up to two years off, each a whole number of years); one estimated age against a date.
MAX_BIRTH_YEAR_GAP = 5.0
MAX_BIRTH_YEAR_GAP_ONE_ESTIMATED = 3.0
# Two full dates of birth further apart than this (and not a day/month swap) are two
# children: a mistyped day stays within two months.
MAX_DOB_DAYS = 62
# A cluster of more new records than a child plausibly has in one run goes to review.
MAX_GROUP = 8


def _days(a: str, b: str) -> int:
    from datetime import date

    return abs((date.fromisoformat(a) - date.fromisoformat(b)).days)


def _close(a: str | None, b: str | None) -> bool:
    """Two name keys that may be one name: equal, or one letter apart (Zara ZR / Zahra ZHR,
    Ayaz AZ / Ayus AS)."""
    from rapidfuzz.distance import OSA

    if not a or not b:
        return True
    return a == b or OSA.distance(a, b, score_cutoff=1) <= 1


def names_incompatible(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """The child's names cannot be one name, even swapped with the father's: siblings and
    look-alike children have different given names."""
    if _close(a.get("given"), b.get("given")):
        return False
    # Given and father's names swapped on one record.
    if _close(a.get("given"), b.get("father_given")) and _close(
        a.get("father_given"), b.get("given")
    ):
        return False
    # A family name written first on one record ("Baloch Zubair").
    given_a, given_b = a.get("given") or "", b.get("given") or ""
    return given_b not in (a.get("name") or "") and given_a not in (b.get("name") or "")


def conflict(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two records cannot be the same child, whatever else agrees: a different sex,
    B-forms more than two digits apart, full dates of birth more than ``MAX_DOB_DAYS`` apart
    (other than day and month swapped), birth years further apart than the estimated ages
    can be off, or given names that cannot be one name."""
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
    if all(born):
        if born[0] != born[1] and born[0] != b["dob_swapped"] and _days(*born) > MAX_DOB_DAYS:
            return True
    else:
        ya, yb = a["birth_year"], b["birth_year"]
        gap = MAX_BIRTH_YEAR_GAP if not any(born) else MAX_BIRTH_YEAR_GAP_ONE_ESTIMATED
        if ya is not None and yb is not None and abs(ya - yb) > gap:
            return True
    return names_incompatible(a, b)


# A given name counts as established when at least this share of the population's records
# carry it, and the rarer of two such names is at least ``ESTABLISHED_RATIO`` of the
# commoner: a misspelling of a name is a small fraction of the name (even where a quarter
# of names carry a typo, those that change the key spread over dozens of one-letter
# variants, about 1 % of the name's records each at most), a second name is not (Wali is
# a few per cent of Ali, the commonest boys' name).
ESTABLISHED_SHARE = 0.001
ESTABLISHED_RATIO = 0.03


def _spelling_folded(key: str) -> str:
    """A key with what Latin spellings of one name add or leave out folded away: an h (Zara
    ZR / Zahra ZHR, Rehman / Reman), the c of a German-style sch (Schahid / Shahid)."""
    return key.replace("SC", "S").replace("H", "")


def siblings_apart(
    counts: Mapping[str, int], total: int, variants: Collection[tuple[str, str]] = ()
) -> Callable[[Mapping[str, Any], Mapping[str, Any]], bool]:
    """Whether two records look like two children whose names the model takes for one:

    - two siblings: the same father's name and no B-form number in common, with given names
      that are two established names of this population (``counts`` of each given-name key
      among ``total`` records): Hina and Hira, Sana and Saba, Hasan and Husain, the twins a
      Fellegi–Sunter model takes for one child because siblings share their father,
      district and (twins) date of birth, which it weighs as if two random children did;
    - a swap "with one name misspelt" whose misspelt names are two established names: Sana
      d/o Ghulam Ali against Ghulam Ali whose father is written Rania is two girls, not a
      swapped record with a typo.

    Not two names: keys that differ by an h or a sch (``_spelling_folded``), or a pair of
    keys seen on records of one B-form number in this population (``variants``: Usman and
    Uthman written for one child). Such records are never linked automatically; a person may
    still be asked (``cluster``'s review)."""
    floor = max(ESTABLISHED_SHARE * total, 2)
    seen = {tuple(sorted(pair)) for pair in variants}

    def two_names(x: str | None, y: str | None) -> bool:
        if not x or not y or x == y:
            return False
        low, high = sorted((counts.get(x, 0), counts.get(y, 0)))
        if low < floor or low < ESTABLISHED_RATIO * high:
            return False
        if _spelling_folded(x) == _spelling_folded(y):
            return False
        return tuple(sorted((x, y))) not in seen

    def apart(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
        if a.get("b_form") and a.get("b_form") == b.get("b_form"):
            return False
        if a.get("father") and a.get("father") == b.get("father"):
            return two_names(a.get("given"), b.get("given"))
        for one, other in ((a, b), (b, a)):
            if (
                one.get("father")
                and one.get("father") == other.get("name")
                and one.get("given") != other.get("given")
                and two_names(one.get("given"), other.get("father_given"))
            ):
                return True
        return False

    return apart


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
    oversized: list[int] = field(default_factory=list)  # waiting: more records than a child has
    # Two registry children that a pair at or above ``link`` joins, with nothing conflicting
    # between their records: (child key, child key) → the strongest such pair. Only a person
    # merges registry children; these become proposals.
    merges: dict[tuple[Any, Any], float] = field(default_factory=dict)
    # Clusters (as ``labels`` names them, and ("child", key) for an existing child's) that a
    # pair at or above ``review`` joins without merging them: with the clusters themselves,
    # the components ``cluster`` decides each on its own (``cluster_cohesive``).
    joins: list[tuple[Hashable, Hashable]] = field(default_factory=list)

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
    scores: Mapping[tuple[Any, Any], float] | None = None,
    strict: bool = False,
    max_group: int = MAX_GROUP,
    apart: Callable[[Mapping[str, Any], Mapping[str, Any]], bool] | None = None,
) -> Outcome:
    """``features`` of every record in a pair; ``new`` record ids; ``known`` record id →
    its child's key; ``forbidden`` (record id, child key) pairs a person said are not the
    same child; ``registrable`` says whether a group of new records can become a new child
    (one with no date of birth and no age cannot): such a group waits, and is nobody's
    candidate.

    Cohesion: two clusters merge only if no pair across them has a probability (``scores``,
    keyed by the pair in either order) below ``review``; with ``strict``, a pair across them
    that was never scored refuses the merge too (``cluster_cohesive`` scores them all), and
    so does a pair that looks like two siblings (``apart``, see ``siblings_apart``). A
    group of more than ``max_group`` new records waits for a person."""
    scores = scores or {}
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

    def compatible(ra: Hashable, rb: Hashable, *, cohesive: bool = True) -> bool:
        """No conflict and nothing a person forbade; ``cohesive``: and no pair across the
        two clusters too weak (or, ``strict``, unscored) to be linked automatically."""
        key = (ra, rb) if str(ra) <= str(rb) else (rb, ra)
        if not cohesive:  # (``refused`` remembers weak pairs too: not consulted here)
            return not any(
                conflict(features[x], features[y]) for x in members[ra] for y in members[rb]
            ) and not any(
                (x, child_of[other]) in forbidden
                for mine, other in ((ra, rb), (rb, ra))
                if other in child_of
                for x in members[mine]
            )
        if key in refused:
            return False
        for mine, other in ((ra, rb), (rb, ra)):
            child = child_of.get(other)
            if child is not None and any((x, child) in forbidden for x in members[mine]):
                refused.add(key)
                return False
        for x in members[ra]:
            for y in members[rb]:
                if conflict(features[x], features[y]):
                    refused.add(key)
                    return False
                probability = scores.get((x, y), scores.get((y, x)))
                if (
                    (probability is None and strict)
                    or (probability is not None and probability < review)
                    or (apart is not None and apart(features[x], features[y]))
                ):
                    refused.add(key)
                    return False
        return True

    ordered = sorted_in_runs(
        [p for p in pairs if p[2] >= review], key=lambda p: (-p[2], str(p[0]), str(p[1]))
    )
    weak: list[tuple[Hashable, Hashable, float]] = []
    child_joins: list[tuple[Hashable, Hashable]] = []
    merge_pairs: dict[tuple[Any, Any], float] = {}
    for a, b, probability in ordered:
        if probability < link:
            weak.append((a, b, probability))
            continue
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        if ra in child_of and rb in child_of:  # two registry children: a person merges those
            first, second = sorted((child_of[ra], child_of[rb]), key=str)
            pair = (first, second)
            child_joins.append((("child", first), ("child", second)))
            if pair not in merge_pairs and compatible(ra, rb, cohesive=False):
                merge_pairs[pair] = probability
            continue
        if not compatible(ra, rb):
            # Refused: a conflict (never the same child), or a pair across the clusters too
            # weak to link them automatically: then a person may still decide.
            weak.append((a, b, probability))
            continue
        if rb in child_of or (ra not in child_of and len(members[ra]) < len(members[rb])):
            ra, rb = rb, ra  # an existing child's cluster stays the root
        parent[rb] = ra
        members[ra] += members.pop(rb)
        if rb in child_of:
            child_of[ra] = child_of.pop(rb)

    outcome = Outcome(merges=merge_pairs, joins=child_joins)
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

    def label(root: Hashable) -> Hashable:
        return ("child", child_of[root]) if root in child_of else ("new", index_of[root])

    for a, b, probability in weak:
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        outcome.joins.append((label(ra), label(rb)))
        for mine, other in ((ra, rb), (rb, ra)):
            group = index_of.get(mine)
            if (
                group is None
                or group in outcome.existing
                or not compatible(mine, other, cohesive=False)
            ):
                continue
            candidates[group].append((probability, other))

    registered: set[Hashable] = set()
    for group, members_ in enumerate(outcome.groups):
        if group in outcome.existing:
            continue
        if len(members_) > max_group:  # more than one child has: a person looks
            outcome.waiting.append(group)
            outcome.oversized.append(group)
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


SORT_RUN = 200_000  # items a run of ``sorted_in_runs``


def sorted_in_runs(items: list[Any], key: Callable[[Any], Any]) -> list[Any]:
    """``sorted(items, key=key)``, the same order, sorted in runs of ``SORT_RUN`` and merged:
    one sort of millions of pairs holds the interpreter's lock for seconds (a job's progress
    thread waits that long); a run's sort holds it a fraction of one."""
    if len(items) <= SORT_RUN:
        return sorted(items, key=key)
    runs = [sorted(items[i : i + SORT_RUN], key=key) for i in range(0, len(items), SORT_RUN)]
    return list(heapq.merge(*runs, key=key))  # ties from earlier runs first, as sorted keeps


def cluster_cohesive(
    pairs: Sequence[tuple[Any, Any, float]],
    features: Mapping[Any, Mapping[str, Any]],
    new: Iterable[Hashable],
    known: Mapping[Any, Any],
    *,
    link: float,
    review: float,
    score_within: Callable[[list[list[Any]]], Iterable[tuple[Any, Any, float]]],
    **options: Any,
) -> Outcome:
    """``cluster`` twice: first on the pairs that blocking compared, then, once every pair
    inside each cluster found has been scored (``score_within`` scores every pair inside
    each list of ids it is given), again with no merge across a pair that is low or was
    never scored. So no automatic cluster holds two records that the model itself would not
    put together, however strong the links between them through others."""
    new = list(new)
    scores: dict[tuple[Any, Any], float] = {(a, b): p for a, b, p in pairs}
    first = cluster(pairs, features, new, known, link=link, review=review, scores=scores, **options)
    members_of_child: dict[Any, list[Any]] = defaultdict(list)
    for uid, child in known.items():
        members_of_child[child].append(uid)
    cohorts = []
    for index, group in enumerate(first.groups):
        cohort = list(group)
        if index in first.existing:
            cohort += members_of_child[first.existing[index]]
        if len(cohort) > 1:
            cohorts.append(cohort)

    def again(
        these: list[tuple[Any, Any, float]],
        records: Iterable[Hashable] = new,
        children: Mapping[Any, Any] = known,
    ) -> Outcome:
        # Once every pair inside the clusters is scored, an unscored pair refuses a merge.
        return cluster(
            these,
            features,
            records,
            children,
            link=link,
            review=review,
            scores=scores,
            strict=bool(cohorts),
            **options,
        )

    if not cohorts:
        final, everything = first, list(pairs)
    else:
        within = list(score_within(cohorts))
        scores.update(((a, b), p) for a, b, p in within)
        everything = [*pairs, *((a, b, p) for a, b, p in within if p >= review)]
        final = again(everything)
    torn = ambiguous(final, scores, new, known, link=link)
    if not torn:
        return final
    # Each such record's strong pairs are held just below ``link``: it joins no one
    # automatically, and its best candidate goes to review. ``cluster`` decides each
    # component (records joined by pairs at or above ``review``, an existing child's records
    # by the child) on its own, so only the components that hold a torn record are
    # clustered again; every other group stays as it was.
    below = math.nextafter(link, 0.0)
    label = final.labels()
    component = _components(final)
    changed = {component(label[uid]) for uid in torn}
    again_new = [uid for uid in new if component(label[uid]) in changed]
    again_known = {
        uid: child for uid, child in known.items() if component(("child", child)) in changed
    }
    members = {*again_new, *again_known}
    redone = again(
        [
            (a, b, below if p >= link and (a in torn or b in torn) else p)
            for a, b, p in everything
            if a in members
        ],
        again_new,
        again_known,
    )
    return _replaced(new, final, redone, lambda label: component(label) not in changed)


def _components(outcome: Outcome) -> Callable[[Hashable], Hashable]:
    """The component of a cluster (named as ``Outcome.labels`` names a new record's, or
    ("child", key)): the clusters that ``outcome.joins`` joins, transitively."""
    parent: dict[Hashable, Hashable] = {}

    def find(x: Hashable) -> Hashable:
        root = x
        while (up := parent.get(root)) is not None:
            root = up
        while x != root:
            parent[x], x = root, parent[x]
        return root

    for a, b in outcome.joins:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    return find


def _replaced(
    new: Sequence[Hashable], final: Outcome, redone: Outcome, kept: Callable[[Hashable], bool]
) -> Outcome:
    """``final`` with the clusters whose label is not ``kept`` replaced by ``redone``'s (which
    clustered again exactly those components' records), numbered as ``cluster`` numbers
    groups over all of ``new``: by each group's first record in ``new``'s order."""

    def label(outcome: Outcome, index: int) -> Hashable:
        return ("child", outcome.existing[index]) if index in outcome.existing else ("new", index)

    position = {uid: i for i, uid in enumerate(new)}
    parts = (final, redone)
    order = sorted(
        (position[group[0]], part, index)
        for part, outcome in enumerate(parts)
        for index, group in enumerate(outcome.groups)
        if part == 1 or kept(label(final, index))
    )
    number = {(part, index): n for n, (_, part, index) in enumerate(order)}
    out = Outcome()
    for _, part, index in order:
        outcome, n = parts[part], number[part, index]
        out.groups.append(outcome.groups[index])
        if index in outcome.existing:
            out.existing[n] = outcome.existing[index]
        if index in outcome.review:
            kind, target, probability = outcome.review[index]
            out.review[n] = (kind, number[part, target] if kind == "group" else target, probability)
    for part, outcome in enumerate(parts):
        for name in ("new", "waiting", "oversized"):
            getattr(out, name).extend(
                number[part, i] for i in getattr(outcome, name) if (part, i) in number
            )
        out.merges.update(
            (pair, p) for pair, p in outcome.merges.items() if part == 1 or kept(("child", pair[0]))
        )

        def renumbered(label: Any, part: int = part) -> Hashable:
            return label if label[0] == "child" else ("new", number[part, label[1]])

        out.joins.extend(
            (renumbered(a), renumbered(b)) for a, b in outcome.joins if part == 1 or kept(a)
        )
    for name in ("new", "waiting", "oversized"):
        getattr(out, name).sort()
    return out


def ambiguous(
    outcome: Outcome,
    scores: Mapping[tuple[Any, Any], float],
    new: Collection[Hashable],
    known: Mapping[Any, Any],
    *,
    link: float,
) -> set[Hashable]:
    """New records that match two children about equally well: a record is one child's at
    most, so the chance that it is its own cluster's is that cluster's odds over one plus
    the odds of every cluster it matches at or above ``link`` (each by its strongest pair),
    and below ``link`` it is no automatic link (a record without a date of birth between two
    namesakes of one father, one born a year after the other)."""
    label: dict[Hashable, Hashable] = {uid: ("child", child) for uid, child in known.items()}
    label.update(outcome.labels())
    fresh = set(new)
    strongest: dict[Hashable, dict[Hashable, float]] = defaultdict(dict)
    for (a, b), probability in scores.items():
        if probability < link:
            continue
        for x, y in ((a, b), (b, a)):
            theirs = label.get(y)
            if x in fresh and theirs is not None:
                mine = strongest[x]
                mine[theirs] = max(probability, mine.get(theirs, 0.0))
    out: set[Hashable] = set()
    proposed = {frozenset(pair) for pair in outcome.merges}

    def rival(mine: Hashable, other: Hashable) -> bool:
        """Whether ``other`` is another child than ``mine``. Two registry children proposed
        as one (nothing in their records conflicts) may be one child registered twice: the
        record joins the stronger, and a person decides the merge."""
        if mine == other:
            return False
        if isinstance(mine, tuple) and isinstance(other, tuple) and mine[0] == other[0] == "child":
            return frozenset((mine[1], other[1])) not in proposed
        return True

    for x, by_cluster in strongest.items():
        own = by_cluster.get(label[x])
        others = [p for cluster_, p in by_cluster.items() if rival(label[x], cluster_)]
        if own is None or not others:
            continue
        odds = [p / max(1.0 - p, 1e-12) for p in (own, *others)]
        if odds[0] / (1.0 + sum(odds)) < link:
            out.add(x)
    return out
