module example.com/color

go 1.18

require example.org/x/sys v0.13.0
