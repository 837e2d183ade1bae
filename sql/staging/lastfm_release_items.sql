-- model: staging.lastfm_release_items
-- materialized: view
-- canonical: lastfm_url = min(item_id)
-- Last.fm's albums as release items, named by their page; popularity is listeners.
select url as item_id, title, artist_name as artist, null::varchar as gtin, null::varchar as release_date,
    track_count, listeners::double as popularity, url, raw_file
from staging.lastfm_albums
