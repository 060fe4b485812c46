module example.org/x/text

go 1.18
