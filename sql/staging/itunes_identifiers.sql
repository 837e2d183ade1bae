-- model: staging.itunes_identifiers
-- materialized: view
-- iTunes shares Apple Music's catalog ids: each item names its Apple Music page.
select 'release' as entity, item_id, 'apple_music' as kind, item_id as value, 'itunes' as via
from staging.itunes_release_items
union all
select 'track', item_id, 'apple_music', item_id, 'itunes' from staging.itunes_track_items
