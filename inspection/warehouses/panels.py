"""The declaration page's "bonded stock" section: on a draft exit declaration (C12, release for
home use) the enterprise names per goods line the lot it takes out; once registered, everyone
who may read the declaration sees what it reserved or drew."""

from declarations.choices import DeclarationState as S

from . import rules, selectors


def draws_panel_visible(user, declaration) -> bool:
    return (declaration.bonded_warehouse_id is not None
            and rules.bond_direction(declaration) == rules.OUT_OF)


def draws_panel_context(request, declaration) -> dict:
    draws = {draw.line_no: draw for draw in selectors.draws_of(declaration)}
    editable = declaration.state == S.DRAFT and getattr(request.user, "is_declarant", False)
    lines = list(declaration.lines.select_related("tariff_line"))
    available = list(selectors.available_for(declaration)) if editable else []
    rows = []
    for line in lines:
        choices = [item for item in available if item.tariff_line_id == line.tariff_line_id
                   and item.unit == line.unit and item.available > 0]
        rows.append({"line": line, "draw": draws.get(line.line_no), "choices": choices})
    return {"rows": rows, "editable": editable}
