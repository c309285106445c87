"""Report exports of a comparison round: Excel workbook, PDF with degrees-of-equivalence charts."""
