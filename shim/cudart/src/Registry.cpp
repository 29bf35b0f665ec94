#include "Registry.h"

#include "Log.h"

#include <algorithm>
#include <cstdio>

namespace drawbridge::cudart {

Registry& Registry::instance() {
  // Never destroyed: programs unregister from atexit handlers that may run after our statics.
  static Registry* registry = new Registry;
  return *registry;
}

void** Registry::addModule(const void* wrapper) {
  auto module = std::make_unique<RegisteredModule>();
  module->wrapper = wrapper;
  module->handleSlot = module.get();
  auto image = fatbin::Image::fromRegisteredWrapper(wrapper);
  if (image)
    module->image = std::move(*image);
  else
    module->imageError = image.error().message;
  std::lock_guard lock(mutex_);
  modules_.push_back(std::move(module));
  return &modules_.back()->handleSlot;
}

RegisteredModule* Registry::addLibrary(std::unique_ptr<RegisteredModule> library) {
  library->handleSlot = library.get();
  std::lock_guard lock(mutex_);
  modules_.push_back(std::move(library));
  return modules_.back().get();
}

RegisteredModule* Registry::library(const void* handle) {
  std::lock_guard lock(mutex_);
  auto it = std::find_if(modules_.begin(), modules_.end(),
                         [&](const auto& m) { return m->library && m.get() == handle; });
  return it == modules_.end() ? nullptr : it->get();
}

RegisteredModule* Registry::module(void** handle) {
  std::lock_guard lock(mutex_);
  auto it = std::find_if(modules_.begin(), modules_.end(),
                         [&](const auto& m) { return &m->handleSlot == handle; });
  return it == modules_.end() ? nullptr : it->get();
}

void Registry::removeModule(void** handle) {
  std::lock_guard lock(mutex_);
  std::erase_if(modules_, [&](const auto& m) { return &m->handleSlot == handle; });
}

RegisteredModule* Registry::moduleForRegistration(void** handle, const char* call,
                                                  const char* deviceName) {
  RegisteredModule* m = module(handle);
  if (!m)
    logError("drawbridge: %s for '%s' names a module that was never registered\n", call,
             deviceName ? deviceName : "(null)");
  return m;
}

void Registry::addFunction(void** handle, const void* hostStub, const char* deviceName) {
  RegisteredModule* m = moduleForRegistration(handle, "__cudaRegisterFunction", deviceName);
  if (!m)
    return;
  std::lock_guard lock(mutex_);
  m->functions.push_back(std::make_unique<RegisteredFunction>(
      RegisteredFunction{m, hostStub, deviceName ? deviceName : ""}));
}

void Registry::addVariable(void** handle, void* hostAddress, const char* deviceName, size_t size,
                           bool constant, bool managed) {
  RegisteredModule* m = moduleForRegistration(handle, "__cudaRegisterVar", deviceName);
  if (!m)
    return;
  std::lock_guard lock(mutex_);
  m->variables.push_back({m, hostAddress, deviceName ? deviceName : "", size, constant, managed});
}

const RegisteredFunction* Registry::function(const void* hostStub) const {
  std::lock_guard lock(mutex_);
  for (const auto& m : modules_)
    for (const auto& f : m->functions)
      if (f->hostStub == hostStub || f.get() == hostStub)
        return f.get();
  return nullptr;
}

const RegisteredVariable* Registry::variable(const void* hostAddress) const {
  std::lock_guard lock(mutex_);
  for (const auto& m : modules_)
    for (const auto& v : m->variables)
      if (v.hostAddress == hostAddress)
        return &v;
  return nullptr;
}

size_t Registry::moduleCount() const {
  std::lock_guard lock(mutex_);
  return modules_.size();
}

} // namespace drawbridge::cudart
