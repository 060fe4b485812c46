module example.net/protobuf

go 1.17
