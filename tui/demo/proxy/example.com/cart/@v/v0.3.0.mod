module example.com/cart

go 1.21

require (
	example.com/pricing v0.7.2
	example.com/money v1.3.0
	example.com/cache v0.5.0
	example.com/uuid v1.3.0
	example.com/log v1.0.0
)
