module example.net/grpc

go 1.19

require (
	example.net/protobuf v1.31.0
	example.org/x/sys v0.12.0
	example.org/x/text v0.13.0
)
