-- model: staging.discogs_release_items
-- materialized: view
-- canonical: discogs_release_id = min(try_cast(item_id as bigint))
-- Discogs' releases as release items; popularity is how many users have it.
select release_id::varchar as item_id, title, artist_credit as artist, gtin,
    coalesce(released, year::varchar) as release_date, null::integer as track_count, have::double as popularity,
    'https://www.discogs.com/release/' || release_id as url, raw_file
from staging.discogs_releases
