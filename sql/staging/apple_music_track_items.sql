-- model: staging.apple_music_track_items
-- materialized: view
-- canonical: apple_music_song_id = min(item_id)
-- Apple Music's songs as track items.
select song_id as item_id, album_id as release_item_id, title, artist_name as artist, duration_ms,
    null::double as popularity, 'https://music.apple.com/song/' || song_id as url, raw_file
from staging.apple_music_tracks
