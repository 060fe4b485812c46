module example.com/json

go 1.21

require example.com/router v1.9.0
