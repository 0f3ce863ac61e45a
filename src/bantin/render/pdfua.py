"""PDF/UA post-processing of WeasyPrint's output with pikepdf: margin boxes as artifacts, deterministic save."""

from __future__ import annotations

import io
from typing import Any

import pikepdf

__all__ = ["finish_pdf", "mark_margin_boxes_as_artifacts"]


def _reachable(root: pikepdf.Object) -> set[tuple[int, int]]:
    """Every indirect structure element reachable from the structure tree root."""
    reachable: set[tuple[int, int]] = set()
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Dictionary):
            if node.is_indirect:
                if node.objgen in reachable:
                    continue
                reachable.add(node.objgen)
            kids = node.get("/K")
            if isinstance(kids, pikepdf.Array):
                stack.extend(kids)
            elif kids is not None:
                stack.append(kids)
    return reachable


def mark_margin_boxes_as_artifacts(pdf: pikepdf.Pdf) -> int:
    """Turn running headers/footers into ``/Artifact`` marked content; returns how many were changed.

    WeasyPrint 70 tags margin-box content with MCIDs whose structure elements it
    leaves out of the tree (``pdf/tags.py``: an Artifact in the tree is only
    allowed in PDF 2.0).  For PDF/UA-1 such content must be an artifact, so every
    marked-content sequence whose structure element is not reachable from the
    root becomes ``/Artifact <</Type /Pagination>>`` and leaves the parent tree.
    """
    root = pdf.Root.get("/StructTreeRoot")
    if root is None or "/ParentTree" not in root:
        return 0
    reachable = _reachable(root)
    nums = root.ParentTree.get("/Nums", pikepdf.Array())
    by_key = {int(nums[i]): nums[i + 1] for i in range(0, len(nums) - 1, 2)}
    changed = 0
    for page in pdf.pages:
        key = page.obj.get("/StructParents")
        elements = by_key.get(int(key)) if key is not None else None
        if not isinstance(elements, pikepdf.Array):
            continue
        orphans = {i for i, el in enumerate(elements) if isinstance(el, pikepdf.Dictionary) and el.is_indirect and el.objgen not in reachable}
        if not orphans:
            continue
        out: list[Any] = []
        for instruction in pikepdf.parse_content_stream(page):
            operands, operator = list(instruction.operands), instruction.operator
            if (
                str(operator) == "BDC"
                and len(operands) == 2
                and isinstance(operands[1], pikepdf.Dictionary)
                and "/MCID" in operands[1]
                and int(operands[1].MCID) in orphans
            ):
                out.append(pikepdf.ContentStreamInstruction([pikepdf.Name.Artifact, pikepdf.Dictionary(Type=pikepdf.Name.Pagination)], operator))
                changed += 1
            else:
                out.append(instruction)
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(out))
        for i in orphans:
            elements[i] = pikepdf.Object.parse(b"null")
    return changed


def finish_pdf(data: bytes) -> bytes:
    """Post-process WeasyPrint's PDF: margin boxes as artifacts; saved deterministically."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        mark_margin_boxes_as_artifacts(pdf)
        out = io.BytesIO()
        pdf.save(
            out,
            deterministic_id=True,
            compress_streams=True,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            min_version="1.7",
        )
    return out.getvalue()
