module example.com/router

go 1.21

require (
	example.com/json v1.3.1
	example.com/color v1.2.0
	example.org/x/sys v0.15.0
)
