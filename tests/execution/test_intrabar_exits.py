"""Stop-loss / take-profit inside a bar: stop first when both hit, gaps fill at the open."""

from __future__ import annotations

from decimal import Decimal

from exec_builders import bar, instrument

from moonai_tui.execution import (
    ExitTrigger,
    FillLeg,
    FillModel,
    FillResult,
    resolve_exit_trigger,
)

D = Decimal
STOP, TP = D("98.0"), D("105.0")  # a long entered at 100


def _long_exit(o: float, h: float, low: float, model: FillModel | None = None) -> FillResult | None:
    return (model or FillModel()).exit_on_bar(
        "long", D("1"), bar(o, h, low, o), instrument(), stop_loss=STOP, take_profit=TP
    )


def test_both_inside_one_bar_assumes_the_stop_first() -> None:
    # high 106 >= 105 and low 97 <= 98: unknown order -> stop at 98; fee 98 x 0.00055
    fill = _long_exit(100, 106, 97)
    assert fill is not None
    assert (fill.reason, fill.side, fill.gapped) == ("stop_loss", "sell", False)
    assert fill.legs == (FillLeg(D("98.0"), D("1")),)
    assert fill.fee == D("0.05390")


def test_take_profit_alone_fills_at_the_target() -> None:
    fill = _long_exit(100, 106, 99)
    assert fill is not None
    assert (fill.reason, fill.average_price) == ("take_profit", D("105.0"))


def test_gap_down_through_the_stop_fills_at_the_open() -> None:
    # opens at 95, below the 98 stop: the first price is 95, a loss of 5 not 2
    fill = _long_exit(95, 96, 94)
    assert fill is not None
    assert (fill.reason, fill.average_price, fill.gapped) == ("stop_loss", D("95.0"), True)


def test_open_exactly_at_stop_is_not_a_gap() -> None:
    fill = _long_exit(98, 99, 97)
    assert fill is not None
    assert (fill.average_price, fill.gapped) == (D("98.0"), False)


def test_gap_up_through_take_profit_is_not_credited() -> None:
    # opens at 107 above the 105 target: conservative, fill at 105
    fill = _long_exit(107, 108, 97)
    assert fill is not None
    assert (fill.reason, fill.average_price) == ("take_profit", D("105.0"))


def test_quiet_bar_triggers_nothing() -> None:
    assert _long_exit(100, 104.9, 98.1) is None


def test_stop_exit_pays_slippage_rounded_against_us() -> None:
    # 98 x (1 - 0.001) = 97.902 -> down to 97.9
    fill = _long_exit(100, 101, 97, FillModel(slippage_bps=D("10")))
    assert fill is not None and fill.average_price == D("97.9")


def test_short_rules_mirror_the_long() -> None:
    model = FillModel()
    stop, tp = D("102.0"), D("95.0")

    def short(o: float, h: float, low: float) -> tuple[str, Decimal] | None:
        fill = model.exit_on_bar(
            "short", D("1"), bar(o, h, low, o), instrument(), stop_loss=stop, take_profit=tp
        )
        return None if fill is None else (fill.reason, fill.legs[0].price)

    assert short(100, 103, 94) == ("stop_loss", D("102.0"))  # both inside: stop first
    assert short(104, 105, 101) == ("stop_loss", D("104.0"))  # gap up through the stop
    assert short(93, 96, 92) == ("take_profit", D("95.0"))  # gap down through target
    assert short(100, 101, 94.5) == ("take_profit", D("95.0"))
    assert short(100, 101.9, 95.1) is None


def test_exit_of_a_short_is_a_buy() -> None:
    fill = FillModel().exit_on_bar(
        "short",
        D("1"),
        bar(100, 103, 99, 100),
        instrument(),
        stop_loss=D("102.0"),
        take_profit=None,
    )
    assert fill is not None and fill.side == "buy"


def test_one_price_bar_fills_a_tick_stream_stop_at_the_trade() -> None:
    # paper trading: a trade at 97.5 through the 98 stop is a one-price bar -> fill 97.5
    fill = _long_exit(97.5, 97.5, 97.5)
    assert fill is not None and fill.average_price == D("97.5")


def test_rule_function_with_missing_levels() -> None:
    args = {"open_": D("100"), "high": D("106"), "low": D("97")}
    assert resolve_exit_trigger("long", stop_loss=None, take_profit=TP, **args) == ExitTrigger(
        "take_profit", TP
    )
    assert resolve_exit_trigger("long", stop_loss=None, take_profit=None, **args) is None
