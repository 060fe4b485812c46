module example.com/cart

go 1.21

require (
	example.com/pricing v0.7.0
	example.com/money v1.2.0
	example.com/uuid v1.3.0
)
