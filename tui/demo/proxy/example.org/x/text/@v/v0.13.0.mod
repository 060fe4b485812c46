module example.org/x/text

go 1.17
