module example.com/billing

go 1.21

require (
	example.com/pricing v0.7.0
	example.com/money v1.2.0
	example.com/proto v1.4.0
	example.com/log v1.0.0
	example.com/retry v1.0.0
)
