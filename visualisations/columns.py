"""The usage table as numpy columns, and the filters as a vectorised mask over them.

At 10^5 organisations the table holds close to a million usages; a Python loop over them
takes seconds, a numpy mask milliseconds. Columns are built once per table and cached on it.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from visualisations.filters import Filters
from visualisations.table import UsageTable

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
_EPOCH = dt.date(1970, 1, 1)


@functools.lru_cache(maxsize=1 << 16)  # a few thousand dates recur over all the usages
def _day(iso: str | None) -> int:
    if not iso:
        return -1
    try:
        return (dt.date.fromisoformat(iso[:10]) - _EPOCH).days
    except ValueError:
        return -1


@dataclass
class Columns:
    """One row per usage (in ``table.usages`` order); organisations, software, practices,
    statuses and waves numbered by their position in the lists below."""

    orgs: list[str]
    software: list[str]
    practices: list[str]
    statuses: list[str]
    waves: list[str]
    org: IntArray           # organisation of each usage
    sw: IntArray            # software of each usage
    status: IntArray        # status of each usage, -1 if none
    observed: IntArray      # day of observation (days since 1970), -1 if none
    wave_bits: IntArray     # bit i set: generated in wave i
    pr_owner: IntArray      # for each (usage, practice) entry: the usage
    pr_idx: IntArray        # for each (usage, practice) entry: the practice

    @property
    def size(self) -> int:
        return len(self.org)


def columns(table: UsageTable) -> Columns:
    """The columns of ``table`` (built on first use, then cached on the table)."""
    cached = getattr(table, "_columns", None)
    if cached is not None and cached.size == len(table.usages):
        return cached  # type: ignore[no-any-return]
    usages = table.usages
    orgs = sorted({u.org for u in usages})
    software = sorted({u.software for u in usages})
    practices = sorted({p for u in usages for p in u.practices})
    statuses = sorted({u.status for u in usages if u.status})
    waves = sorted({w for u in usages for w in u.waves})[:62]
    oi = {o: i for i, o in enumerate(orgs)}
    si = {s: i for i, s in enumerate(software)}
    pi = {p: i for i, p in enumerate(practices)}
    ti = {s: i for i, s in enumerate(statuses)}
    wi = {w: i for i, w in enumerate(waves)}
    owner: list[int] = []
    idx: list[int] = []
    for n, u in enumerate(usages):
        for p in u.practices:
            owner.append(n)
            idx.append(pi[p])
    cols = Columns(
        orgs, software, practices, statuses, waves,
        org=np.fromiter((oi[u.org] for u in usages), np.int64, len(usages)),
        sw=np.fromiter((si[u.software] for u in usages), np.int64, len(usages)),
        status=np.fromiter((ti.get(u.status, -1) if u.status else -1 for u in usages),
                           np.int64, len(usages)),
        observed=np.fromiter((_day(u.observed) for u in usages), np.int64, len(usages)),
        wave_bits=np.fromiter((sum(1 << wi[w] for w in u.waves if w in wi) for u in usages),
                              np.int64, len(usages)),
        pr_owner=np.asarray(owner, dtype=np.int64), pr_idx=np.asarray(idx, dtype=np.int64),
    )
    table._columns = cols  # type: ignore[attr-defined]
    return cols


@dataclass
class Selection:
    """The usages that pass the filters, and per usage how many of its practices passed."""

    mask: BoolArray
    practice_count: IntArray    # per usage (all usages), practices kept
    entry_mask: BoolArray       # per (usage, practice) entry: kept

    @property
    def index(self) -> IntArray:
        return np.flatnonzero(self.mask)


def _per_org(table: UsageTable, cols: Columns, test: object) -> BoolArray:
    return np.fromiter((test(o) for o in cols.orgs), np.bool_, len(cols.orgs))  # type: ignore[operator]


def select_mask(table: UsageTable, filters: Filters | None = None,
                software: str | None = None) -> Selection:
    """The vectorised form of ``projection.select`` (same rules)."""
    f = filters or Filters()
    cols = columns(table)
    mask = np.ones(cols.size, dtype=np.bool_)
    if f.fields:
        fields = table.narrower_closure(f.fields)
        mask &= _per_org(table, cols, lambda o: not fields.isdisjoint(
            table.org_fields.get(o, ())))[cols.org]
    if f.kinds:
        kinds = table.narrower_closure(f.kinds)
        mask &= _per_org(table, cols, lambda o: not kinds.isdisjoint(
            table.org_kinds.get(o, ())))[cols.org]
    if f.departements:
        deps = frozenset(f.departements)
        mask &= _per_org(table, cols, lambda o: table.org_departement.get(o) in deps)[cols.org]
    if f.communities:
        wanted = frozenset(f.communities)
        mask &= _per_org(table, cols, lambda o: table.communities.get(o) in wanted)[cols.org]
    if f.categories:
        categories = table.narrower_closure(f.categories)
        ok = np.fromiter((not categories.isdisjoint(table.software_categories.get(s, ()))
                          for s in cols.software), np.bool_, len(cols.software))
        mask &= ok[cols.sw]
    if software is not None:
        position = cols.software.index(software) if software in cols.software else -1
        mask &= cols.sw == position
    if f.waves:
        bits = sum(1 << i for i, w in enumerate(cols.waves) if w in f.waves)
        mask &= (cols.wave_bits & bits) != 0
    if f.statuses:
        wanted_status = [i for i, s in enumerate(cols.statuses) if s in f.statuses]
        mask &= np.isin(cols.status, wanted_status)
    if f.since is not None:
        mask &= cols.observed >= (f.since - _EPOCH).days
    if f.until is not None:
        mask &= (cols.observed >= 0) & (cols.observed <= (f.until - _EPOCH).days)
    entry_mask = mask[cols.pr_owner] if cols.pr_owner.size else np.zeros(0, np.bool_)
    if f.practices:
        practices = table.narrower_closure(f.practices)
        ok = np.fromiter((p in practices for p in cols.practices), np.bool_,
                         len(cols.practices))
        entry_mask = entry_mask & ok[cols.pr_idx]
    count = np.bincount(cols.pr_owner[entry_mask], minlength=cols.size).astype(np.int64)
    if f.practices:
        mask &= count > 0
    return Selection(mask, count, entry_mask)
