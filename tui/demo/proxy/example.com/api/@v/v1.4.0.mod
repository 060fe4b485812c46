module example.com/api

go 1.21

require (
	example.net/grpc v1.58.0
	example.com/proto/v2 v2.1.0
	example.com/json v1.2.0
	example.com/log v1.0.0
	example.com/jwt v3.2.0+incompatible
	example.org/x/text v0.13.0
)
