"""The duty calculator against DUTIES.md section 10 (worked examples) and its invariants."""

from dataclasses import fields, replace
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from declarations.duties import (
    INCOTERMS,
    MAX_LINES,
    DeclarationInput,
    DutyInputError,
    DutyResult,
    Flow,
    FreightAllocation,
    FtaRate,
    LineInput,
    LineRates,
    LineResult,
    allocate,
    compute_duties,
)

# DUTIES.md 10, common assumptions: registered Tue 17 Nov 2026, rates of Thu 12 Nov 2026.
USD_RATE = D("26180")
CNY_RATE = D("3649.52")
ASEAN = frozenset({"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH"})
ACFTA = FtaRate("ACFTA", D("0"), ASEAN | {"CN"})  # DUTIES.md 2.2, members of Decree 118/2022


def goods(
    value, *, rates, line_no=1, hs_code="94016100", quantity="1", unit="PCE", origin="US", **flags
):
    """A goods line with Decimal value and quantity given as strings."""
    return LineInput(
        line_no=line_no,
        hs_code=hs_code,
        quantity=D(quantity),
        unit=unit,
        line_value=D(value),
        origin_country=origin,
        rates=rates,
        **flags,
    )


def declaration(
    *lines,
    flow=Flow.IMPORT,
    regime="A11",
    incoterm="CIF",
    currency="USD",
    exchange_rate=USD_RATE,
    **header,
):
    """A declaration of the given lines, by default an A11 CIF import in USD."""
    return DeclarationInput(
        flow=flow,
        regime=regime,
        incoterm=incoterm,
        currency=currency,
        exchange_rate=exchange_rate,
        lines=lines,
        **header,
    )


def only_line(result: DutyResult) -> LineResult:
    """The single line of a one-line result."""
    (line,) = result.lines
    return line


# --- Example 1: ad valorem, MFN ---------------------------------------------------------------


def test_example_1_us_chairs_pay_mfn_duty_and_vat_on_duty_paid_value():
    result = compute_duties(
        declaration(
            goods("38000.00", quantity="400", rates=LineRates(mfn_rate=D(25), vat_rate=D(8)))
        )
    )
    line = only_line(result)
    assert line.customs_value_vnd == D("994840000")
    assert (line.duty_schedule, line.duty_rate) == ("MFN", D(25))
    assert line.import_duty_vnd == D("248710000")
    assert line.vat_base_vnd == D("1243550000")
    assert line.vat_vnd == D("99484000")
    assert result.total_vnd == D("348194000")


# --- Examples 2 and 3: ACFTA with form E, MFN without it, ordinary without MFN treatment --------

TROUSERS = LineRates(mfn_rate=D(20), fta_rates=(ACFTA,), vat_rate=D(8))


def trousers(**flags) -> DeclarationInput:
    """Example 2's shipment: CNY 145,500 DAP Mong Cai, origin China."""
    line = goods(
        "145500.00", hs_code="62034290", quantity="3000", origin="CN", rates=TROUSERS, **flags
    )
    return declaration(line, incoterm="DAP", currency="CNY", exchange_rate=CNY_RATE)


def test_form_e_origin_gets_acfta_rate():
    result = compute_duties(trousers(preferential_claimed=True))
    line = only_line(result)
    assert line.customs_value_vnd == D("531005160")
    assert (line.duty_schedule, line.duty_rate, line.import_duty_vnd) == ("ACFTA", D(0), D(0))
    assert line.vat_base_vnd == D("531005160")
    assert line.vat_vnd == D("42480413")
    assert result.total_vnd == D("42480413")


def test_without_form_e_the_same_trousers_pay_mfn():
    result = compute_duties(trousers(preferential_claimed=False))
    line = only_line(result)
    assert (line.duty_schedule, line.import_duty_vnd) == ("MFN", D("106201032"))
    assert line.vat_base_vnd == D("637206192")
    assert line.vat_vnd == D("50976495")
    assert result.total_vnd == D("157177527")
    with_form_e = compute_duties(trousers(preferential_claimed=True))
    assert result.total_vnd - with_form_e.total_vnd == D("114697114")


def test_origin_without_mfn_treatment_pays_ordinary_rate_of_150_percent_of_mfn():
    line = only_line(compute_duties(trousers(mfn_treatment=False)))
    assert (line.duty_schedule, line.duty_rate) == ("ORDINARY", D(30))
    assert line.import_duty_vnd == D("159301548")
    assert line.vat_base_vnd == D("690306708")
    assert line.vat_vnd == D("55224537")
    assert line.total_vnd == D("214526085")


# --- Example 4: beer, duty + SCT + VAT ----------------------------------------------------------


def test_example_4_beer_sct_base_holds_duty_and_vat_base_holds_sct():
    rates = LineRates(mfn_rate=D(35), sct_rate=D(65), vat_rate=D(10))
    result = compute_duties(
        declaration(
            goods("34176.00", hs_code="22030019", quantity="19008.00", unit="LTR", rates=rates)
        )
    )
    line = only_line(result)
    assert line.customs_value_vnd == D("894727680")
    assert line.import_duty_vnd == D("313154688")
    assert line.sct_base_vnd == D("1207882368")
    assert line.sct_vnd == D("785123539")
    assert line.vat_base_vnd == D("1993005907")
    assert line.vat_vnd == D("199300591")
    assert result.total_vnd == D("1297578818")


# --- Example 5: cars, ATIGA form D, SCT, VAT ----------------------------------------------------

CARS = LineRates(
    mfn_rate=D(64), fta_rates=(FtaRate("ATIGA", D(0), ASEAN),), sct_rate=D(40), vat_rate=D(10)
)


def cars(**flags) -> DeclarationInput:
    """Example 5's ten Thai cars, USD 185,000 CIF."""
    return declaration(
        goods("185000.00", hs_code="87032363", quantity="10", origin="TH", rates=CARS, **flags)
    )


def test_example_5_thai_cars_with_form_d_pay_atiga_zero_then_sct_and_vat():
    result = compute_duties(cars(preferential_claimed=True, claimed_ftas={"ATIGA"}))
    line = only_line(result)
    assert line.customs_value_vnd == D("4843300000")
    assert (line.duty_schedule, line.import_duty_vnd) == ("ATIGA", D(0))
    assert line.sct_vnd == D("1937320000")
    assert line.vat_base_vnd == D("6780620000")
    assert line.vat_vnd == D("678062000")
    assert result.total_vnd == D("2615382000")
    assert result.total_vnd / 10 == D("261538200")


def test_example_5_without_form_d_the_mfn_duty_cascades_into_sct_and_vat():
    line = only_line(compute_duties(cars()))
    assert (line.duty_schedule, line.import_duty_vnd) == ("MFN", D("3099712000"))
    assert line.sct_base_vnd == D("7943012000")
    assert line.sct_vnd == D("3177204800")
    assert line.vat_base_vnd == D("11120216800")
    assert line.vat_vnd == D("1112021680")
    assert line.total_vnd == D("7388938480")


# --- Example 6: petrol, EPT absolute and deferred for a key trader ------------------------------


def petrol(*, ept="2000", sct="10", vat="8", mfn="10", **flags) -> DeclarationInput:
    """Example 6: 2,000,000 l of RON 95 from Korea, USD 1,240,000 CIF, rate of 26 Feb 2026."""
    rates = LineRates(
        mfn_rate=D(mfn),
        sct_rate=D(sct),
        ept_vnd_per_unit=D(ept),
        vat_rate=None if vat is None else D(vat),
    )
    line = goods(
        "1240000.00",
        hs_code="27101223",
        quantity="2000000",
        unit="LTR",
        origin="KR",
        rates=rates,
        **flags,
    )
    return declaration(line, exchange_rate=D("26050"))


def test_key_trader_petrol_carries_no_ept_on_the_declaration_and_none_in_the_vat_base():
    result = compute_duties(petrol(ept_deferred_to_sale=True))
    line = only_line(result)
    assert line.customs_value_vnd == D("32302000000")
    assert line.import_duty_vnd == D("3230200000")
    assert line.sct_base_vnd == D("35532200000")
    assert line.sct_vnd == D("3553220000")
    assert line.ept_vnd == 0  # paid to the tax office when the trader sells (Law 57 Art. 9(4))
    assert line.vat_base_vnd == D("39085420000")
    assert line.vat_vnd == D("3126833600")
    assert result.total_vnd == D("9910253600")


def test_fuel_not_imported_for_sale_pays_ept_at_import_and_vat_on_it():
    result = compute_duties(petrol())  # example 6, variant (b)
    line = only_line(result)
    assert line.ept_vnd == D("4000000000")
    assert line.vat_base_vnd == D("43085420000")
    assert line.vat_vnd == D("3446833600")
    assert result.total_vnd == D("14230253600")
    assert only_line(compute_duties(petrol(vat="10"))).vat_vnd == D("4308542000")


def test_petrol_in_november_2026_pays_only_import_duty():
    # Example 6 variant (c): EPT 0 VND/l, SCT 0 %, VAT "not declared" (Res. 19/2026/QH16, extended);
    # the Decree 72/2026 MFN rate was not retrieved, so the illustrative 10 % stands in for it.
    result = compute_duties(petrol(ept="0", sct="0", vat=None))
    line = only_line(result)
    assert (line.sct_vnd, line.ept_vnd, line.vat_vnd, line.vat_rate) == (0, 0, 0, None)
    assert result.total_vnd == line.import_duty_vnd == D("3230200000")


# --- Example 7: plastic bags, EPT per kg in the VAT base ----------------------------------------


def bags(quantity="8000", unit="KGM", **flags) -> DeclarationInput:
    """Example 7: 8,000 kg of HDPE carrier bags from China, no C/O, USD 12,000 CIF."""
    rates = LineRates(mfn_rate=D(12), ept_vnd_per_unit=D(50000), vat_rate=D(8))
    line = goods(
        "12000.00",
        hs_code="39232199",
        quantity=quantity,
        unit=unit,
        origin="CN",
        rates=rates,
        **flags,
    )
    return declaration(line)


def test_plastic_bag_ept_is_per_kg_and_enters_the_vat_base():
    result = compute_duties(bags())
    line = only_line(result)
    assert line.customs_value_vnd == D("314160000")
    assert line.import_duty_vnd == D("37699200")
    assert line.ept_vnd == D("400000000")
    assert line.vat_base_vnd == D("751859200")
    assert line.vat_vnd == D("60148736")
    assert result.total_vnd == D("497847936")


def test_multi_layer_bags_pay_ept_on_the_hdpe_share_only():
    line = only_line(compute_duties(bags(ept_taxable_percent=D(70))))
    assert line.ept_vnd == D("280000000")


def test_ept_uses_the_quantity_in_the_schedule_unit_when_declared_in_pieces():
    # Circular 152 Art. 5(1.2): 400,000 pieces declared, 8,000 kg in the EPT unit.
    line = only_line(compute_duties(bags(quantity="400000", unit="PCE", ept_quantity=D(8000))))
    assert line.ept_vnd == D("400000000")


# --- Example 8: FOB, freight and insurance allocated over two lines -----------------------------


def tableware(allocation=FreightAllocation.VALUE) -> DeclarationInput:
    """Example 8: two Japanese lines FOB Yokohama, freight USD 1,500, insurance USD 96."""
    porcelain = goods(
        "18000.00",
        line_no=1,
        hs_code="69111000",
        quantity="3000",
        unit="KGM",
        origin="JP",
        weight=D(3000),
        rates=LineRates(mfn_rate=D(25), vat_rate=D(8)),
    )
    glasses = goods(
        "42000.00",
        line_no=2,
        hs_code="70133790",
        quantity="1200",
        unit="KGM",
        origin="JP",
        weight=D(1200),
        rates=LineRates(mfn_rate=D(30), vat_rate=D(8)),
    )
    return declaration(
        porcelain,
        glasses,
        incoterm="FOB",
        freight=D("1500.00"),
        insurance=D("96.00"),
        freight_allocation=allocation,
    )


def test_fob_freight_and_insurance_are_added_by_line_value():
    result = compute_duties(tableware())
    one, two = result.lines
    assert (one.freight_share, two.freight_share) == (D("450"), D("1050"))
    assert (one.insurance_share, two.insurance_share) == (D("28.80"), D("67.20"))
    assert (one.customs_value, two.customs_value) == (D("18478.80"), D("43117.20"))
    assert (one.customs_value_vnd, two.customs_value_vnd) == (D("483774984"), D("1128808296"))
    assert (one.import_duty_vnd, two.import_duty_vnd) == (D("120943746"), D("338642489"))
    assert (one.vat_base_vnd, two.vat_base_vnd) == (D("604718730"), D("1467450785"))
    assert (one.vat_vnd, two.vat_vnd) == (D("48377498"), D("117396063"))
    assert result.customs_value_vnd == D("1612583280")
    assert result.import_duty_vnd == D("459586235")
    assert result.vat_vnd == D("165773561")
    assert result.total_vnd == D("625359796")


def test_freight_by_weight_moves_tax_between_lines_but_keeps_the_customs_value_total():
    result = compute_duties(tableware(FreightAllocation.WEIGHT))
    one, two = result.lines
    assert (one.insurance_share, two.insurance_share) == (D("28.80"), D("67.20"))  # by value
    assert (one.customs_value_vnd, two.customs_value_vnd) == (D("500043984"), D("1112539296"))
    assert (one.import_duty_vnd, two.import_duty_vnd) == (D("125010996"), D("333761789"))
    assert (one.vat_vnd, two.vat_vnd) == (D("50004398"), D("115704087"))
    assert result.customs_value_vnd == D("1612583280")
    assert result.total_vnd == D("624481270")


# --- Example 9: export with export duty, CIF contract ------------------------------------------


def test_cif_export_deducts_freight_and_insurance_then_pays_export_duty():
    scrap = goods(
        "210000.00",
        hs_code="72044900",
        quantity="500",
        unit="TNE",
        origin="VN",
        rates=LineRates(export_rate=D(17), vat_rate=D(0)),
    )
    result = compute_duties(
        declaration(
            scrap, flow=Flow.EXPORT, regime="B11", freight=D("9000.00"), insurance=D("231.00")
        )
    )
    line = only_line(result)
    assert line.customs_value == D("200769.00")
    assert line.customs_value_vnd == D("5256132420")
    assert (line.duty_schedule, line.export_duty_vnd) == ("EXPORT", D("893542511"))
    assert (line.import_duty_vnd, line.vat_vnd, line.vat_rate) == (0, 0, None)
    assert result.total_vnd == D("893542511")


# --- Example 10: C11 bonded warehouse, later A11 release ---------------------------------------

PORK_RATES = LineRates(mfn_rate=D(15), vat_rate=None)  # frozen meat: VAT not subject at import


def pork(**header) -> DeclarationInput:
    """Example 10: 24,000 kg of Brazilian frozen pork, USD 62,400 CIF Hai Phong."""
    line = goods(
        "62400.00", hs_code="02032999", quantity="24000", unit="KGM", origin="BR", rates=PORK_RATES
    )
    return declaration(line, **header)


def test_c11_bonded_warehouse_entry_declares_the_value_and_pays_nothing():
    result = compute_duties(pork(regime="C11"))
    line = only_line(result)
    assert line.customs_value_vnd == D("1633632000")
    assert line.duty_schedule == "NOT_SUBJECT"
    assert result.customs_value_vnd == D("1633632000")
    assert result.total_vnd == 0


def test_release_from_bonded_warehouse_pays_duty_at_the_new_weeks_rate_and_no_vat():
    result = compute_duties(pork(regime="A11", exchange_rate=D("26200")))
    line = only_line(result)
    assert line.customs_value_vnd == D("1634880000")
    assert line.import_duty_vnd == D("245232000")
    assert (line.vat_rate, line.vat_vnd) == (None, 0)
    assert result.total_vnd == D("245232000")


def test_c12_re_export_from_bonded_warehouse_pays_nothing():
    assert compute_duties(pork(regime="C12", flow=Flow.EXPORT)).total_vnd == 0


# --- Rate choice, regimes, adjustments ----------------------------------------------------------


def test_mfn_applies_when_lower_than_the_fta_rate():
    rates = LineRates(mfn_rate=D(5), fta_rates=(FtaRate("ACFTA", D(10), {"CN"}),))
    line = goods("100.00", origin="CN", preferential_claimed=True, rates=rates)
    assert only_line(compute_duties(declaration(line))).duty_schedule == "MFN"


def test_fta_rate_needs_an_origin_in_a_member_country():
    line = goods("100.00", origin="JP", preferential_claimed=True, rates=TROUSERS)
    assert only_line(compute_duties(declaration(line))).duty_schedule == "MFN"


def test_form_e_does_not_give_the_atiga_rate():
    rates = LineRates(
        mfn_rate=D(20),
        fta_rates=(FtaRate("ATIGA", D(0), ASEAN), FtaRate("ACFTA", D(5), ASEAN | {"CN"})),
    )
    line = goods(
        "100.00", origin="TH", preferential_claimed=True, claimed_ftas={"ACFTA"}, rates=rates
    )
    assert only_line(compute_duties(declaration(line))).duty_schedule == "ACFTA"


def test_ordinary_rate_from_the_decision_15_list_replaces_150_percent_of_zero_mfn():
    rates = LineRates(mfn_rate=D(0), ordinary_rate=D(5))
    line = only_line(
        compute_duties(declaration(goods("1000.00", mfn_treatment=False, rates=rates)))
    )
    assert (line.duty_schedule, line.duty_rate) == ("ORDINARY", D(5))


def test_mixed_duty_adds_the_absolute_part_per_unit():
    rates = LineRates(mfn_rate=D(10), import_vnd_per_unit=D("1000000"))
    line = only_line(compute_duties(declaration(goods("1000.00", quantity="2", rates=rates))))
    assert line.import_duty_vnd == D("2618000") + D("2000000")


def test_additional_duties_enter_the_sct_and_vat_bases():
    rates = LineRates(
        mfn_rate=D(10), additional_rates=(D(5), D("2.5")), sct_rate=D(10), vat_rate=D(10)
    )
    line = only_line(compute_duties(declaration(goods("1000.00", rates=rates))))
    assert line.additional_duty_vnd == D("1309000") + D("654500")
    assert line.sct_base_vnd == D("26180000") + D("2618000") + D("1963500")
    assert line.vat_base_vnd == line.sct_base_vnd + line.sct_vnd


def test_processing_materials_pay_sct_but_no_duty_vat_or_ept():
    rates = LineRates(mfn_rate=D(10), sct_rate=D(10), ept_vnd_per_unit=D(1000), vat_rate=D(10))
    for regime in ("E21", "E31"):
        line = only_line(compute_duties(declaration(goods("1000.00", rates=rates), regime=regime)))
        assert (line.duty_schedule, line.import_duty_vnd) == ("EXEMPT", 0)
        assert (line.ept_vnd, line.vat_vnd, line.vat_rate) == (0, 0, None)
        assert line.sct_vnd == D("2618000")  # refunded later (Law 66 Art. 9(1)(a))


def test_an_exempted_duty_stays_out_of_the_vat_base():
    line = only_line(
        compute_duties(
            declaration(
                goods("1000.00", duty_exempt=True, rates=LineRates(mfn_rate=D(10), vat_rate=D(10)))
            )
        )
    )
    assert (line.import_duty_vnd, line.vat_base_vnd) == (0, D("26180000"))


def test_export_line_outside_the_export_tariff_pays_nothing():
    line = goods("1000.00", origin="VN", rates=LineRates(mfn_rate=D(10), vat_rate=D(10)))
    result = compute_duties(declaration(line, flow=Flow.EXPORT, regime="B11", incoterm="FOB"))
    assert (only_line(result).duty_schedule, result.total_vnd) == ("NOT_SUBJECT", 0)


def test_cfr_import_adds_the_insurance_bought():
    line = goods("1000.00", rates=LineRates(mfn_rate=D(0)))
    result = compute_duties(declaration(line, incoterm="CFR", insurance=D("10.00")))
    assert result.customs_value_vnd == D("1010") * USD_RATE


def test_ddp_to_an_inland_warehouse_deducts_the_inland_leg_shown():
    line = goods("1000.00", rates=LineRates(mfn_rate=D(0)))
    result = compute_duties(declaration(line, incoterm="DDP", freight=D("50.00")))
    assert result.customs_value_vnd == D("950") * USD_RATE


def test_exw_export_adds_inland_costs_up_to_the_export_gate():
    line = goods("1000.00", origin="VN", rates=LineRates(export_rate=D(10)))
    result = compute_duties(
        declaration(line, flow=Flow.EXPORT, regime="B11", incoterm="EXW", freight=D("20.00"))
    )
    assert result.customs_value_vnd == D("1020") * USD_RATE


# --- Input validation ----------------------------------------------------------------------------

PLAIN = LineRates(mfn_rate=D(10))


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: goods("1.00", quantity="-1", rates=PLAIN), id="negative quantity"),
        pytest.param(lambda: goods("1.00", quantity="0", rates=PLAIN), id="zero quantity"),
        pytest.param(lambda: goods("-1.00", rates=PLAIN), id="negative value"),
        pytest.param(lambda: goods("1.00001", rates=PLAIN), id="value past 4 decimals"),
        pytest.param(lambda: goods("1.00", hs_code="9401610", rates=PLAIN), id="7-digit HS"),
        pytest.param(lambda: goods("1.00", origin="usa", rates=PLAIN), id="bad origin"),
        pytest.param(lambda: LineRates(mfn_rate=D("-1")), id="negative rate"),
        pytest.param(lambda: LineRates(mfn_rate=D("NaN")), id="NaN rate"),
        pytest.param(lambda: LineRates(vat_rate=8.0), id="float rate"),
        pytest.param(lambda: LineRates(additional_rates=(0.5,)), id="float additional rate"),
        pytest.param(lambda: LineRates(sct_rate="10"), id="string rate"),
        pytest.param(lambda: FtaRate("ACFTA", D(0), "CN"), id="members as a string"),
        pytest.param(
            lambda: declaration(goods("1.00", rates=PLAIN), exchange_rate=D(0)),
            id="zero exchange rate",
        ),
        pytest.param(
            lambda: declaration(goods("1.00", rates=PLAIN), exchange_rate=26180.0),
            id="float exchange rate",
        ),
        pytest.param(
            lambda: declaration(goods("1.00", rates=PLAIN), currency="VND"),
            id="VND at a rate other than 1",
        ),
        pytest.param(
            lambda: declaration(goods("1.50", rates=PLAIN), currency="VND", exchange_rate=D(1)),
            id="VND with decimals",
        ),
        pytest.param(
            lambda: declaration(goods("1.00", rates=PLAIN), incoterm="XYZ"), id="unknown incoterm"
        ),
        pytest.param(
            lambda: declaration(goods("1.00", rates=PLAIN), flow="transit"), id="unknown flow"
        ),
        pytest.param(
            lambda: declaration(goods("1.00", rates=PLAIN), insurance=D(1)),
            id="insurance on a CIF import",
        ),
        pytest.param(
            lambda: declaration(
                goods("1.00", rates=PLAIN), flow=Flow.EXPORT, incoterm="FOB", freight=D(1)
            ),
            id="freight on a FOB export",
        ),
        pytest.param(
            lambda: declaration(
                goods("1.00", rates=PLAIN),
                incoterm="FOB",
                freight=D(1),
                freight_allocation="weight",
            ),
            id="weight allocation without weights",
        ),
        pytest.param(lambda: declaration(), id="no lines"),
        pytest.param(
            lambda: declaration(
                *[goods("1.00", line_no=n, rates=PLAIN) for n in range(1, MAX_LINES + 2)]
            ),
            id="more than 50 lines",
        ),
        pytest.param(
            lambda: declaration(goods("1.00", rates=PLAIN), goods("2.00", rates=PLAIN)),
            id="duplicate line numbers",
        ),
    ],
)
def test_bad_input_is_refused_with_duty_input_error(make):
    with pytest.raises(DutyInputError):
        make()


def test_duty_input_error_is_a_value_error():
    assert issubclass(DutyInputError, ValueError)


def test_deductions_larger_than_the_line_value_are_refused():
    decl = declaration(goods("10.00", rates=PLAIN), incoterm="DAP", freight=D("11.00"))
    with pytest.raises(DutyInputError):
        compute_duties(decl)


def test_an_import_line_without_an_mfn_rate_is_refused():
    with pytest.raises(DutyInputError):
        compute_duties(declaration(goods("1.00", rates=LineRates(vat_rate=D(10)))))


def test_freight_cannot_be_allocated_by_value_over_lines_worth_nothing():
    with pytest.raises(DutyInputError):
        compute_duties(declaration(goods("0", rates=PLAIN), incoterm="FOB", freight=D(1)))


# --- Properties ----------------------------------------------------------------------------------

ASEAN_CN = sorted(ASEAN | {"CN"})
ORIGINS = ["CN", "TH", "SG", "JP", "US", "KR", "BR"]
VND_AMOUNTS = [name for name in (f.name for f in fields(LineResult)) if name.endswith("_vnd")]
percent = st.decimals(min_value=0, max_value=200, places=2)
vnd_per_unit = st.decimals(min_value=0, max_value=1_000_000, places=2)


def optional(strategy):
    """The strategy or None."""
    return st.none() | strategy


@st.composite
def line_rates(draw):
    """Any rates a line may carry."""
    ftas = []
    if draw(st.booleans()):
        ftas.append(FtaRate("ACFTA", draw(percent), ASEAN | {"CN"}))
    if draw(st.booleans()):
        ftas.append(FtaRate("ATIGA", draw(percent), ASEAN))
    return LineRates(
        mfn_rate=draw(percent),
        fta_rates=tuple(ftas),
        ordinary_rate=draw(optional(percent)),
        import_vnd_per_unit=draw(optional(vnd_per_unit)),
        export_rate=draw(optional(percent)),
        additional_rates=tuple(draw(st.lists(percent, max_size=2))),
        sct_rate=draw(optional(percent)),
        sct_vnd_per_unit=draw(optional(vnd_per_unit)),
        ept_vnd_per_unit=draw(optional(vnd_per_unit)),
        vat_rate=draw(optional(st.sampled_from([D(0), D(5), D(8), D(10)]))),
    )


@st.composite
def goods_lines(draw, line_no, places):
    """Any valid goods line whose value has the currency's decimals."""
    return LineInput(
        line_no=line_no,
        hs_code=draw(st.from_regex(r"\A[0-9]{8}\Z")),
        quantity=draw(st.decimals(min_value=D("0.01"), max_value=10**6, places=2)),
        unit="KGM",
        line_value=draw(st.decimals(min_value=D(1), max_value=10**7, places=places)),
        origin_country=draw(st.sampled_from(ORIGINS)),
        rates=draw(line_rates()),
        preferential_claimed=draw(st.booleans()),
        mfn_treatment=draw(st.booleans()),
        duty_exempt=draw(st.booleans()),
        weight=draw(st.decimals(min_value=D("0.1"), max_value=10**5, places=1)),
        ept_taxable_percent=draw(st.decimals(min_value=0, max_value=100, places=0)),
        ept_deferred_to_sale=draw(st.booleans()),
    )


@st.composite
def declarations(draw, regime=None, flow=None):
    """Any valid declaration of 1-6 lines."""
    flow = draw(st.sampled_from(list(Flow))) if flow is None else flow
    regimes = ["A11", "A12", "E21", "E31", "C11", "C12", "B11"]
    regime = draw(st.sampled_from(regimes)) if regime is None else regime
    incoterm = draw(st.sampled_from(sorted(INCOTERMS)))
    currency = draw(st.sampled_from(["USD", "CNY", "VND"]))
    places = 0 if currency == "VND" else 4
    rate = (
        D(1)
        if currency == "VND"
        else draw(st.decimals(min_value=D("0.0001"), max_value=60000, places=4))
    )
    count = draw(st.integers(min_value=1, max_value=6))
    lines = [draw(goods_lines(n, places)) for n in range(1, count + 1)]
    # Kept to half the smallest line each, so deductions on D/C terms never exceed a line.
    cap = min(line.line_value for line in lines) / 2
    amount = st.decimals(min_value=0, max_value=cap, places=places)
    freight, insurance = draw(amount), draw(amount)
    if flow is Flow.IMPORT and incoterm in {"CIF", "CIP", "C&I"}:
        insurance = D(0)  # already in the price: VNACCS refuses IN1
    if flow is Flow.EXPORT and incoterm in {"FOB", "FAS"}:
        freight = insurance = D(0)  # the price is already the value at the export gate
    return DeclarationInput(
        flow=flow,
        regime=regime,
        incoterm=incoterm,
        currency=currency,
        exchange_rate=rate,
        lines=tuple(lines),
        freight=freight,
        insurance=insurance,
        freight_allocation=draw(st.sampled_from(list(FreightAllocation))),
    )


PROPERTY = settings(max_examples=150, deadline=None)


@PROPERTY
@given(declarations())
def test_every_amount_is_a_whole_non_negative_vnd_decimal(decl):
    result = compute_duties(decl)
    amounts = [getattr(line, name) for line in result.lines for name in VND_AMOUNTS]
    amounts += [getattr(result, f.name) for f in fields(DutyResult) if f.name != "lines"]
    for amount in amounts:
        assert isinstance(amount, D)
        assert amount >= 0
        assert amount.as_tuple().exponent == 0


@PROPERTY
@given(declarations())
def test_totals_are_the_sums_of_the_lines(decl):
    result = compute_duties(decl)
    for f in fields(DutyResult):
        if f.name != "lines":
            assert getattr(result, f.name) == sum(getattr(line, f.name) for line in result.lines)
    taxes = (
        "import_duty_vnd",
        "export_duty_vnd",
        "additional_duty_vnd",
        "sct_vnd",
        "ept_vnd",
        "vat_vnd",
    )
    assert result.total_vnd == sum(getattr(result, name) for name in taxes)


@PROPERTY
@given(declarations())
def test_allocated_freight_and_insurance_sum_exactly_to_the_declared_amounts(decl):
    result = compute_duties(decl)
    assert sum(line.freight_share for line in result.lines) == decl.freight
    assert sum(line.insurance_share for line in result.lines) == decl.insurance


@PROPERTY
@given(
    st.decimals(min_value=0, max_value=10**9, places=4),
    st.lists(st.decimals(min_value=0, max_value=10**6, places=3), min_size=1, max_size=50),
)
def test_allocation_is_pro_rata_to_within_one_step(total, keys):
    if sum(keys) == 0:
        keys = [*keys[:-1], D(1)]
    shares = allocate(total, keys)
    assert sum(shares) == total
    for share, key in zip(shares, keys, strict=True):
        assert share >= 0
        assert abs(share - total * key / sum(keys)) < D("0.000001")


@PROPERTY
@given(declarations(regime="A11", flow=Flow.IMPORT), st.data())
def test_preferential_duty_never_exceeds_mfn_duty(decl, data):
    line = data.draw(st.sampled_from(decl.lines))
    claimed = replace(line, preferential_claimed=True, mfn_treatment=True)
    unclaimed = replace(line, preferential_claimed=False, mfn_treatment=True)
    with_co = compute_duties(replace(decl, lines=(claimed,), freight=D(0), insurance=D(0)))
    without = compute_duties(replace(decl, lines=(unclaimed,), freight=D(0), insurance=D(0)))
    assert only_line(without).duty_schedule in {"MFN", "EXEMPT"}
    assert with_co.import_duty_vnd <= without.import_duty_vnd
    assert with_co.total_vnd <= without.total_vnd  # a lower duty lowers the SCT and VAT bases


@PROPERTY
@given(declarations(regime="A11", flow=Flow.IMPORT))
def test_ordinary_duty_is_never_below_mfn_duty(decl):
    def treated(mfn_treatment):
        lines = tuple(
            replace(
                line,
                mfn_treatment=mfn_treatment,
                preferential_claimed=False,
                rates=replace(line.rates, ordinary_rate=None),
            )
            for line in decl.lines
        )
        return compute_duties(replace(decl, lines=lines))

    assert treated(False).import_duty_vnd >= treated(True).import_duty_vnd


@PROPERTY
@given(declarations(flow=Flow.IMPORT))
def test_vat_base_is_customs_value_plus_duty_additional_sct_and_ept(decl):
    for line in compute_duties(decl).lines:
        if line.sct_base_vnd:
            assert line.sct_base_vnd == (
                line.customs_value_vnd + line.import_duty_vnd + line.additional_duty_vnd
            )
        if line.vat_rate is None:
            assert line.vat_vnd == line.vat_base_vnd == 0
            continue
        assert line.vat_base_vnd == (
            line.customs_value_vnd
            + line.import_duty_vnd
            + line.additional_duty_vnd
            + line.sct_vnd
            + line.ept_vnd
        )


@PROPERTY
@given(st.sampled_from(["C11", "C12", "C21"]).flatmap(lambda regime: declarations(regime=regime)))
def test_bonded_warehouse_and_non_tariff_zone_regimes_pay_no_tax(decl):
    result = compute_duties(decl)
    assert result.total_vnd == 0
    assert all(line.total_vnd == 0 for line in result.lines)


@PROPERTY
@given(declarations(), st.integers(min_value=2, max_value=3))
def test_repeating_the_lines_multiplies_every_total(decl, times):
    # Without freight or insurance to allocate, every line is computed on its own.
    decl = replace(decl, freight=D(0), insurance=D(0))
    lines = tuple(
        replace(line, line_no=copy * 10 + line.line_no)
        for copy in range(times)
        for line in decl.lines
    )
    once, repeated = compute_duties(decl), compute_duties(replace(decl, lines=lines))
    for f in fields(DutyResult):
        if f.name != "lines":
            assert getattr(repeated, f.name) == times * getattr(once, f.name)


@PROPERTY
@given(
    millions=st.integers(min_value=1, max_value=10**4),
    quantity=st.integers(min_value=1, max_value=10**4),
    whole_percent=st.tuples(*[st.integers(min_value=0, max_value=150)] * 4),
    per_unit=st.tuples(*[st.integers(min_value=0, max_value=100)] * 3),
    mfn_treatment=st.booleans(),
    factor=st.integers(min_value=2, max_value=1000),
)
def test_without_rounding_every_tax_scales_with_the_invoice(
    millions, quantity, whole_percent, per_unit, mfn_treatment, factor
):
    # A VND invoice in hundreds of millions with whole-percent rates and per-unit amounts in
    # round hundreds never rounds, so multiplying value and quantity multiplies every tax.
    mfn, additional, sct, vat = (D(rate) for rate in whole_percent)
    rates = LineRates(
        mfn_rate=mfn,
        additional_rates=(additional,),
        sct_rate=sct,
        vat_rate=vat,
        import_vnd_per_unit=D(per_unit[0] * 10**4),
        sct_vnd_per_unit=D(per_unit[1] * 100),
        ept_vnd_per_unit=D(per_unit[2] * 100),
    )

    def compute(k):
        line = goods(
            D(millions * 10**8 * k),
            quantity=D(quantity * k),
            rates=rates,
            mfn_treatment=mfn_treatment,
        )
        return only_line(compute_duties(declaration(line, currency="VND", exchange_rate=D(1))))

    small, large = compute(1), compute(factor)
    for name in VND_AMOUNTS:
        assert getattr(large, name) == factor * getattr(small, name)


@PROPERTY
@given(declarations(flow=Flow.IMPORT), st.decimals(min_value=1, max_value=10**6, places=0))
def test_ept_does_not_depend_on_the_value(decl, new_value):
    decl = replace(decl, freight=D(0), insurance=D(0))
    revalued = replace(
        decl, lines=tuple(replace(line, line_value=new_value) for line in decl.lines)
    )
    before, after = compute_duties(decl), compute_duties(revalued)
    assert [line.ept_vnd for line in before.lines] == [line.ept_vnd for line in after.lines]
