// Uses the installed headers and library: a model, its DynamoDB-JSON, and a client with an explicit endpoint.
#include <iostream>

#include <dynantic/dynantic.hpp>

namespace dy = dynantic;

struct Note {
  std::string id{};
  std::string text{};
};
DYNANTIC_MODEL(Note, "notes", key(id), field(text, min_length(1)))

int main() {
  std::string json = dy::to_dynamodb_json(Note{.id = "n-1", .text = "hello"});
  dy::client c(dy::client_options{
      .region = "us-east-1", .endpoint = "http://127.0.0.1:9", .credentials = dy::credentials{"a", "b", ""}});
  std::cout << json << " " << c.region() << "\n";
  return json == R"({"id":{"S":"n-1"},"text":{"S":"hello"}})" ? 0 : 1;
}
