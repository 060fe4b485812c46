module example.com/forks/log

go 1.21

require (
	example.com/color v1.2.0
	example.org/x/sys v0.15.0
)
