module example.com/router

go 1.16

require (
	example.com/json v1.1.0
	example.com/color v1.0.0
)
