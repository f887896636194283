

def test_thematic_xlsx_writes_text_starting_with_equals_as_text(session):
    """Tabular XLSX exports share one writer, which never turns researchers' text into a formula."""
    import io

    import openpyxl

    from workbench.services import codebook as codebook_service, coding, documents, projects, reports

    project = projects.create_project(session, "Formula study")
    code = codebook_service.create_code(session, project, "Trust", definition="=1+1, as the finance lead put it")
    document, _ = documents.import_document(session, project, "P01.txt", b"P01: =SUM(A1) is what the finance lead kept saying to us all week")
    coding.apply_code(session, document, code, projects.get_or_create_user(session, "hannah"), 5, len(document.text))
    sheet = openpyxl.load_workbook(io.BytesIO(reports.export_thematic(session, project, "xlsx"))).active
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=1+1")]
    assert cells and all(c.data_type == "s" for c in cells)
