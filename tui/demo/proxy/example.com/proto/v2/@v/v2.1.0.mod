module example.com/proto/v2

go 1.21

require example.net/protobuf v1.31.0
