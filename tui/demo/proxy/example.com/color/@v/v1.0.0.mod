module example.com/color

go 1.16

require example.org/x/sys v0.10.0
