module example.com/cart

go 1.22

require (
	example.com/pricing v0.8.0-rc.1
	example.com/money v1.4.1
	example.com/cache v0.6.0
	example.com/uuid v1.3.0
	example.com/log v1.0.0
	example.net/grpc v1.60.1
)
