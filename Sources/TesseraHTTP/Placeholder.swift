enum _PlaceholderTesseraHTTP {}
