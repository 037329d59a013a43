enum _PlaceholderTesseraStoreTesting {}
