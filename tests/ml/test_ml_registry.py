"""Model registry: versioned rows round-trip, one active per market, rollback, bad artifacts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest

from moonai_tui.errors import ModelError
from moonai_tui.ml.models import create_model
from moonai_tui.ml.registry import (
    load_active,
    load_active_blocking,
    market_folder,
    register,
    write_artifact,
)
from moonai_tui.store import Store, open_store
from moonai_tui.store.model_registry import NewModelVersion

SYMBOL, TF = "BTC/USDT:USDT", "1m"
NAMES = ["a", "b"]


def _url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await open_store(_url(tmp_path / "moonai.db"))
    try:
        yield opened
    finally:
        await opened.close()


def _new(tmp_path: Path, log_loss: float = 1.0, seed: int = 0) -> NewModelVersion:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(200, 2))
    model = create_model("logreg", {}, NAMES)
    model.fit(x, (x[:, 0] > 0).astype(np.int64) * 2)
    path, digest = write_artifact(
        model.to_bytes(), model.kind, market_folder(tmp_path / "models", SYMBOL, TF)
    )
    return NewModelVersion(
        symbol=SYMBOL,
        timeframe=TF,
        model_type="logreg",
        params=model.params,
        features=NAMES,
        label_spec={"kind": "forward", "horizon": 15},
        data_from_ms=1_000,
        data_until_ms=2_000,
        metrics={"overall": {"log_loss": log_loss, "baselines": {"majority": {"log_loss": 1.1}}}},
        artifact_path=str(path),
        sha256=digest,
    )


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _delete(path: Path) -> None:
    path.unlink()


async def test_registered_version_round_trips(store: Store, tmp_path: Path) -> None:
    new = _new(tmp_path)

    record = await register(store, new, now_ms=5_000)

    assert record.version == 1
    assert record.active  # the first model of a market is promoted
    (stored,) = await store.models.versions(SYMBOL, TF)
    assert stored == record
    assert (stored.model_type, stored.params, stored.features) == ("logreg", new.params, NAMES)
    assert stored.label_spec == {"kind": "forward", "horizon": 15}
    assert (stored.data_from_ms, stored.data_until_ms, stored.created_ms) == (1_000, 2_000, 5_000)
    assert stored.metrics == new.metrics
    assert Path(stored.artifact_path).parent == tmp_path / "models" / "BTC-USDT-USDT_1m"
    loaded = await load_active(store, SYMBOL, TF)
    assert loaded.record.id == record.id
    assert loaded.model.feature_names == NAMES


async def test_only_a_better_model_is_promoted_automatically(store: Store, tmp_path: Path) -> None:
    first = await register(store, _new(tmp_path, log_loss=1.00, seed=0), now_ms=1)
    worse = await register(store, _new(tmp_path, log_loss=1.05, seed=1), now_ms=2)
    better = await register(store, _new(tmp_path, log_loss=0.95, seed=2), now_ms=3)

    assert (first.version, worse.version, better.version) == (1, 2, 3)
    assert not worse.active
    active = await store.models.active(SYMBOL, TF)
    assert active is not None and active.version == 3
    assert [r.active for r in await store.models.versions(SYMBOL, TF)] == [False, False, True]


async def test_a_first_model_worse_than_the_class_frequencies_stays_inactive(
    store: Store, tmp_path: Path
) -> None:
    # The majority-class baseline in _new scores 1.1; this model is worse than guessing it.
    record = await register(store, _new(tmp_path, log_loss=1.2), now_ms=1)

    assert not record.active
    assert await store.models.active(SYMBOL, TF) is None


async def test_promote_and_rollback_walk_the_activation_history(
    store: Store, tmp_path: Path
) -> None:
    v1 = await register(store, _new(tmp_path, seed=0), now_ms=1, promote=True)
    v2 = await register(store, _new(tmp_path, seed=1), now_ms=2, promote=False)
    v3 = await register(store, _new(tmp_path, seed=2), now_ms=3, promote=False)
    await store.models.promote(v3.id, now_ms=10)
    await store.models.promote(v2.id, now_ms=20)

    back = await store.models.rollback(SYMBOL, TF, now_ms=30)
    assert back.id == v3.id
    back = await store.models.rollback(SYMBOL, TF, now_ms=40)
    assert back.id == v1.id
    with pytest.raises(ModelError, match="no earlier active version"):
        await store.models.rollback(SYMBOL, TF, now_ms=50)
    assert sum(r.active for r in await store.models.versions()) == 1
    with pytest.raises(ModelError, match="does not exist"):
        await store.models.promote(999, now_ms=60)


async def test_missing_and_corrupt_artifacts_are_refused(store: Store, tmp_path: Path) -> None:
    record = await register(store, _new(tmp_path), now_ms=1)
    artifact = Path(record.artifact_path)

    _flip_a_byte(artifact)
    with pytest.raises(ModelError, match=r"v1: model artifact .* is corrupt: sha256"):
        await load_active(store, SYMBOL, TF)

    _delete(artifact)
    with pytest.raises(ModelError, match=r"v1: model artifact .* is missing"):
        await load_active(store, SYMBOL, TF)


async def test_no_active_model_names_the_fix(store: Store) -> None:
    with pytest.raises(ModelError, match="no active model; train one with `moonai-tui train"):
        await load_active(store, SYMBOL, TF)


async def test_blocking_lookup_works_inside_a_running_loop(tmp_path: Path) -> None:
    url = _url(tmp_path / "other.db")
    async with await open_store(url) as store:
        record = await register(store, _new(tmp_path), now_ms=1)

    loaded = load_active_blocking(url, SYMBOL, TF)

    assert loaded.record.id == record.id
    assert load_active_blocking(url, SYMBOL, TF, version=1).record.id == record.id
    with pytest.raises(ModelError, match="no model version v7"):
        load_active_blocking(url, SYMBOL, TF, version=7)
