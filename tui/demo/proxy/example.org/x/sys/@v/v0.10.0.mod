module example.org/x/sys

go 1.17
