module example.com/api

go 1.21

require (
	example.net/grpc v1.58.0
	example.com/json v1.1.0
	example.com/log v1.0.0
)
