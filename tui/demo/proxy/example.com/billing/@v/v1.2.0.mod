module example.com/billing

go 1.21

require (
	example.com/pricing v0.7.2
	example.com/money v1.3.0
	example.com/proto v1.5.0
	example.com/log v1.1.0
	example.com/retry v1.0.0
	example.com/cache v0.5.0
	example.org/x/text v0.14.0
)
