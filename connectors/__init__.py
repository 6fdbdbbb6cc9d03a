"""Sources of seizure data: CSV folder, Excel workbook, SQL database, MS Access file."""
