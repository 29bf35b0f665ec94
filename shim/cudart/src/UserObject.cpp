#include "UserObject.h"

void CUuserObject_st::release(unsigned long long count) {
  if (references.fetch_sub(count) != count)
    return;
  destroy(pointer);
  delete this;
}

namespace drawbridge::cudart {

UserObjectReferences::UserObjectReferences(const UserObjectReferences& other) : held_(other.held_) {
  for (auto& [object, count] : held_)
    object->retain(count);
}

UserObjectReferences::~UserObjectReferences() {
  for (auto& [object, count] : held_)
    object->release(count);
}

void UserObjectReferences::add(cudaUserObject_t object, unsigned long long count, bool move) {
  if (!move)
    object->retain(count);
  held_[object] += count;
}

void UserObjectReferences::addAll(const UserObjectReferences& other) {
  for (auto& [object, count] : other.held_)
    add(object, count, false);
}

bool UserObjectReferences::remove(cudaUserObject_t object, unsigned long long count) {
  auto found = held_.find(object);
  if (found == held_.end() || found->second < count)
    return false;
  if ((found->second -= count) == 0)
    held_.erase(found);
  object->release(count);
  return true;
}

} // namespace drawbridge::cudart
