// SQL implementation of mail::OutboxStore (table email_outbox).
#pragma once

#include <memory>

#include "mail/mail.hpp"
#include "storage/database.hpp"

namespace eyewear::stores {

[[nodiscard]] std::unique_ptr<mail::OutboxStore> make_outbox_store(storage::Database& db);

}  // namespace eyewear::stores
