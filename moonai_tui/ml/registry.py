"""Model artifacts on disk and their registry rows: save, verify, load, promote, roll back.

Artifacts live under the models folder (``ml.models_dir``, default ``data/models/``), one
sub-folder per market, named by content (``xgboost-<sha256 prefix>.zip``). The registry row
records the path and the full sha256; loading re-hashes the file first, so a missing,
truncated or replaced artifact is refused with a clear error instead of giving a signal.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from moonai_tui.errors import ModelError
from moonai_tui.store.model_registry import ModelVersionRecord, NewModelVersion

if TYPE_CHECKING:
    from moonai_tui.ml.models import Model
    from moonai_tui.store import Store


def market_folder(models_dir: Path, symbol: str, timeframe: str) -> Path:
    """Where a market's artifacts go, e.g. ``data/models/BTC-USDT-USDT_1m``."""
    slug = "".join(ch if ch.isalnum() else "-" for ch in symbol).strip("-")
    return models_dir / f"{slug}_{timeframe}"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_artifact(data: bytes, kind: str, folder: Path) -> tuple[Path, str]:
    """Store artifact bytes under ``folder``, named by their hash; returns (path, sha256).

    Raises:
        ModelError: the folder cannot be created or written.
    """
    digest = sha256_bytes(data)
    path = folder / f"{kind}-{digest[:16]}.zip"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        raise ModelError(f"{folder}: cannot write the model artifact ({exc.strerror})") from None
    return path, digest


def read_verified(path: Path, sha256: str) -> Model:
    """Load the artifact at ``path`` after checking its sha256.

    Raises:
        ModelError: the file is missing, unreadable, does not match the recorded
            checksum, or is not a model artifact.
    """
    from moonai_tui.ml.models import read_artifact

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ModelError(f"model artifact {path} is missing") from None
    except OSError as exc:
        raise ModelError(f"model artifact {path} cannot be read ({exc.strerror})") from None
    actual = sha256_bytes(data)
    if actual != sha256:
        raise ModelError(
            f"model artifact {path} is corrupt: sha256 {actual[:12]}... does not match "
            f"the registered {sha256[:12]}..."
        )
    return read_artifact(data, str(path))


@dataclass(frozen=True, slots=True)
class LoadedModel:
    """A registry row and its verified, loaded model."""

    record: ModelVersionRecord
    model: Model

    @property
    def features(self) -> list[str]:
        return self.record.features


def load_version(record: ModelVersionRecord) -> LoadedModel:
    """Verify and load the artifact of ``record``; errors name the version."""
    try:
        model = read_verified(Path(record.artifact_path), record.sha256)
    except ModelError as exc:
        raise ModelError(f"{record.symbol} {record.timeframe} v{record.version}: {exc}") from None
    if model.feature_names != record.features:
        raise ModelError(
            f"{record.symbol} {record.timeframe} v{record.version}: artifact features "
            "differ from the registered ones"
        )
    return LoadedModel(record, model)


async def register(
    store: Store, new: NewModelVersion, now_ms: int, *, promote: bool | None = None
) -> ModelVersionRecord:
    """Register a trained model; promote it when asked, or (``promote=None``) when it beats
    the active one (if any) and its own majority-class baseline out of sample (see
    :func:`beats`): even a first model that cannot beat the class frequencies stays
    inactive, so the engine trades on no model rather than on a useless one."""
    if promote is None:
        current = await store.models.active(new.symbol, new.timeframe)
        promote = beats(new.metrics, current.metrics if current is not None else {})
    return await store.models.register(new, now_ms, activate=promote)


def beats(candidate: dict[str, Any], current: dict[str, Any]) -> bool:
    """Whether ``candidate`` is better out of sample than ``current``: lower overall log
    loss, and better than its own majority-class baseline (a model that cannot beat the
    class frequencies is never promoted automatically)."""
    try:
        new_loss = float(candidate["overall"]["log_loss"])
        base_loss = float(candidate["overall"]["baselines"]["majority"]["log_loss"])
    except (KeyError, TypeError, ValueError):
        return False
    try:
        old_loss = float(current["overall"]["log_loss"])
    except (KeyError, TypeError, ValueError):
        old_loss = float("inf")
    return new_loss < old_loss and new_loss < base_loss


async def load_active(store: Store, symbol: str, timeframe: str) -> LoadedModel:
    """The active model of ``symbol``/``timeframe``, verified and loaded.

    Raises:
        ModelError: none is active, or its artifact is missing or corrupt.
    """
    record = await store.models.active(symbol, timeframe)
    if record is None:
        raise ModelError(
            f"{symbol} {timeframe}: no active model; train one with "
            f"`moonai-tui train --symbol {symbol} --timeframe {timeframe}`"
        )
    return load_version(record)


def load_active_blocking(
    database_url: str, symbol: str, timeframe: str, version: int = 0
) -> LoadedModel:
    """:func:`load_active` (or version ``version`` when > 0) for synchronous callers such
    as a strategy's ``target``; safe to call while an event loop runs in this thread."""

    async def resolve() -> LoadedModel:
        from moonai_tui.store import open_store

        async with await open_store(database_url) as store:
            if version <= 0:
                return await load_active(store, symbol, timeframe)
            for record in await store.models.versions(symbol, timeframe):
                if record.version == version:
                    return load_version(record)
        raise ModelError(f"{symbol} {timeframe}: no model version v{version}")

    # A fresh loop in a helper thread: asyncio.run refuses to nest in a running loop.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, resolve()).result()
